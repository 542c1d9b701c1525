import { lazy, type ComponentType, type LazyExoticComponent } from 'react';

export interface ViewProps {
  profileId: number;
  param: string | null;
}

export interface ViewDef {
  key: string;
  label: string;
  /** Hidden views (Person) are reached by links, not from the navbar. */
  hidden?: boolean;
  /** The navbar item a hidden view belongs to. */
  navParent?: string;
  component: LazyExoticComponent<ComponentType<ViewProps>>;
}

/** The navbar, in the order ui.md gives. Each view lives in src-renderer/features/<key>/. */
export const views: ViewDef[] = [
  { key: 'overview', label: 'Overview', component: lazy(() => import('../features/overview')) },
  { key: 'people', label: 'People', component: lazy(() => import('../features/people')) },
  { key: 'insights', label: 'Insights', component: lazy(() => import('../features/insights')) },
  { key: 'conflicts', label: 'Conflicts', component: lazy(() => import('../features/conflicts')) },
  { key: 'duplicates', label: 'Duplicates', component: lazy(() => import('../features/duplicates')) },
  { key: 'reconciliation', label: 'Reconciliation', component: lazy(() => import('../features/reconciliation')) },
  { key: 'sync', label: 'Sync', component: lazy(() => import('../features/sync')) },
  { key: 'settings', label: 'Settings', component: lazy(() => import('../features/settings')) },
  { key: 'person', label: 'Person', hidden: true, navParent: 'people', component: lazy(() => import('../features/person')) },
];
