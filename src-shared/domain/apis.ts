import { z } from 'zod';

/** The three systems Twofold reads. Order is the order they are shown and synced. */
export const ApiName = z.enum(['vomo', 'crm', 'raise']);
export type ApiName = z.infer<typeof ApiName>;
export const API_NAMES: readonly ApiName[] = ApiName.options;

export const API_LABELS: Record<ApiName, string> = { vomo: 'VOMO', crm: 'CRM+', raise: 'Raise' };

/** What each API calls its records, in the steward's words (plural, lower case). */
const RESOURCE_WORDS: Record<string, string> = {
  users: 'users',
  participations: 'participations',
  contacts: 'contacts',
  individuals: 'individuals',
  gifts: 'gifts',
  donors: 'donors',
  campaigns: 'campaigns',
  recurringGifts: 'recurring gifts',
  projects: 'projects',
};

/** "recurring gifts" for "recurringGifts"; unknown names are split at their capitals. */
export function resourceWords(resource: string): string {
  return RESOURCE_WORDS[resource] ?? resource.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

/** "Recurring gifts" */
export function resourceLabel(resource: string): string {
  const w = resourceWords(resource);
  return w.charAt(0).toUpperCase() + w.slice(1);
}

/**
 * The resources Twofold reads from each API. A required one that cannot be read fails that API
 * (what was committed stays); an optional one that the account does not offer (404, 405, 501) or
 * the token may not read (403) is reported as unavailable and the rest of the API syncs as usual.
 */
export interface ApiResource {
  resource: string;
  required: boolean;
}

export const API_RESOURCES: Record<ApiName, readonly ApiResource[]> = {
  vomo: [
    { resource: 'users', required: true },
    { resource: 'participations', required: true },
    { resource: 'projects', required: false },
  ],
  crm: [
    { resource: 'contacts', required: true },
    { resource: 'gifts', required: true },
  ],
  raise: [
    { resource: 'campaigns', required: false },
    { resource: 'donors', required: true },
    { resource: 'gifts', required: true },
    { resource: 'recurringGifts', required: false },
  ],
};

export function isRequired(api: ApiName, resource: string): boolean {
  return API_RESOURCES[api].find((r) => r.resource === resource)?.required ?? false;
}
