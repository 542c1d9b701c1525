import { z } from 'zod';
import { channel, EmptyInput, OkOutput } from '../channel';
import { Profile, ProfileInput } from '../../domain/profile';
import { ApiName } from '../../domain/apis';

export const ProfileRef = z.object({ profileId: z.number().int().positive() });

export const profileChannels = {
  'profiles.list': channel(EmptyInput, z.array(Profile)),
  'profiles.add': channel(ProfileInput, Profile),
  'profiles.update': channel(ProfileRef.extend({ patch: ProfileInput.partial() }), Profile),
  'profiles.remove': channel(ProfileRef, OkOutput),
  /** Store a token in the OS keychain. There is deliberately no channel that reads one back. */
  'secrets.set': channel(ProfileRef.extend({ api: ApiName, token: z.string().trim().min(1).max(8192) }), OkOutput),
  'secrets.has': channel(ProfileRef.extend({ api: ApiName }), z.object({ present: z.boolean() })),
  'secrets.delete': channel(ProfileRef.extend({ api: ApiName }), OkOutput),
  'app.info': channel(
    EmptyInput,
    z.object({ version: z.string(), shell: z.enum(['electron', 'web']), dataDir: z.string(), keychain: z.object({ available: z.boolean(), reason: z.string().nullable() }) }),
  ),
};
