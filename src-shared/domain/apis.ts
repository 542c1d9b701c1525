import { z } from 'zod';

/** The three systems Twofold reads. Order is the order they are shown and synced. */
export const ApiName = z.enum(['vomo', 'crm', 'raise']);
export type ApiName = z.infer<typeof ApiName>;
export const API_NAMES: readonly ApiName[] = ApiName.options;

export const API_LABELS: Record<ApiName, string> = { vomo: 'VOMO', crm: 'CRM+', raise: 'Raise' };
