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
