import { z } from 'zod';
import { channel } from '../channel';

const ProfileRef = z.object({ profileId: z.number().int().positive() });

export const SandboxState = z.object({
  running: z.boolean(),
  clock: z.string().nullable(),
  owner: z.enum(['this-process', 'another-process']).nullable(),
  /** electron | web | cli | test: which kind of Twofold process serves them. */
  ownerShell: z.string().nullable(),
  ownerPid: z.number().nullable(),
  urls: z.object({ vomo: z.string(), crm: z.string(), raise: z.string(), admin: z.string() }).nullable(),
});
export type SandboxState = z.infer<typeof SandboxState>;

export const sandboxChannels = {
  /** "Explore with sandbox data": start the embedded sandbox, create the Sandbox profile, sync it. */
  'sandbox.start': channel(
    z.object({ people: z.number().int().min(50).max(200_000).optional(), seed: z.number().int().optional(), sync: z.boolean().default(true) }).default({ sync: true }),
    z.object({ profileId: z.number(), syncRunId: z.number().nullable() }),
  ),
  /**
   * Who serves the sandbox's servers now (this process, another Twofold process, or nobody) and
   * the sandbox's own time; starts nothing.
   */
  'sandbox.status': channel(ProfileRef, SandboxState),
  /** Make the profile's servers answer: a live owner's, else start them here. */
  'sandbox.ensure': channel(ProfileRef, SandboxState),
  /** Move the sandbox organization on: time passes, the nightly batch runs, Raise syncs to CRM+. */
  'sandbox.admin': channel(
    ProfileRef.extend({ action: z.enum(['advance', 'nightly-batch', 'raise-sync']), days: z.number().min(0).max(3650).optional(), hours: z.number().min(0).max(87600).optional() }),
    z.object({ ok: z.literal(true), result: z.unknown() }),
  ),
};
