import { z } from 'zod';
import { channel } from '../channel';

const ProfileRef = z.object({ profileId: z.number().int().positive() });

export const sandboxChannels = {
  /** "Explore with sandbox data": start the embedded sandbox, create the Sandbox profile, sync it. */
  'sandbox.start': channel(
    z.object({ people: z.number().int().min(50).max(200_000).optional(), seed: z.number().int().optional(), sync: z.boolean().default(true) }).default({ sync: true }),
    z.object({ profileId: z.number(), syncRunId: z.number().nullable() }),
  ),
  'sandbox.status': channel(ProfileRef, z.object({ running: z.boolean(), clock: z.string().nullable() })),
  /** Move the sandbox organization on: time passes, the nightly batch runs, Raise syncs to CRM+. */
  'sandbox.admin': channel(
    ProfileRef.extend({ action: z.enum(['advance', 'nightly-batch', 'raise-sync']), days: z.number().min(0).max(3650).optional(), hours: z.number().min(0).max(87600).optional() }),
    z.object({ ok: z.literal(true), result: z.unknown() }),
  ),
};
