import { z } from 'zod';

const baseUrl = z
  .string()
  .trim()
  .refine((u) => {
    try {
      return /^https?:$/.test(new URL(u).protocol);
    } catch {
      return false;
    }
  }, 'must be a full http(s) URL such as https://api.example.org')
  .transform((u) => u.replace(/\/+$/, ''));

export const ProfileInput = z.object({
  name: z.string().trim().min(1, 'a name is required').max(80),
  vomoUrl: baseUrl,
  crmUrl: baseUrl,
  raiseUrl: baseUrl.nullish().transform((v) => v ?? null),
});
export type ProfileInput = z.input<typeof ProfileInput>;

export const Profile = z.object({
  id: z.number().int(),
  name: z.string(),
  vomoUrl: z.string().nullable(),
  crmUrl: z.string().nullable(),
  raiseUrl: z.string().nullable(),
  isSandbox: z.boolean(),
  createdAt: z.string(),
  /** Which APIs have a token in the keychain. Never the token itself. */
  tokens: z.object({ vomo: z.boolean(), crm: z.boolean(), raise: z.boolean() }),
});
export type Profile = z.infer<typeof Profile>;
