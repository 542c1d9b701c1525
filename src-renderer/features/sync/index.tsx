import { EmptyState } from '../../components/EmptyState';
import type { ViewProps } from '../../app/views';

// Placeholder until the issue that builds this view lands.
export default function SyncView(_props: ViewProps) {
  return <EmptyState title="Sync">This view is not built yet.</EmptyState>;
}
