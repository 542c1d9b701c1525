import { AppError } from '../../../src-shared/errors';
import type { profileChannels } from '../../../src-shared/ipc/channels/profiles';
import type { Profile } from '../../../src-shared/domain/profile';
import { API_NAMES } from '../../../src-shared/domain/apis';
import type { HandlerMap } from '../handlerTypes';
import type { Core } from '../../core/app';
import type { ProfileRow } from '../../store/repos/profiles';
import { version } from '../../core/version';

export async function toProfile(core: Core, row: ProfileRow): Promise<Profile> {
  const tokens = { vomo: false, crm: false, raise: false };
  for (const api of API_NAMES) tokens[api] = await core.secrets.has(row.id, api).catch(() => false);
  return {
    id: row.id,
    name: row.name,
    vomoUrl: row.vomo_url,
    crmUrl: row.crm_url,
    raiseUrl: row.raise_url,
    isSandbox: row.is_sandbox === 1,
    createdAt: row.created_at,
    tokens,
  };
}

export function requireProfile(core: Core, profileId: number): ProfileRow {
  const row = core.profiles.get(profileId);
  if (!row) throw new AppError('NOT_FOUND', `There is no profile with id ${profileId}.`);
  return row;
}

export const profileHandlers: HandlerMap<typeof profileChannels> = {
  async 'profiles.list'(_input, { core }) {
    return Promise.all(core.profiles.list().map((r) => toProfile(core, r)));
  },
  async 'profiles.add'(input, { core }) {
    if (core.profiles.byName(input.name)) throw new AppError('CONFLICT', `A profile named "${input.name}" already exists.`);
    const row = core.profiles.insert({ name: input.name, vomoUrl: input.vomoUrl, crmUrl: input.crmUrl, raiseUrl: input.raiseUrl });
    core.audit.record({ profileId: row.id, action: 'profile.add', subjectType: 'profile', subjectId: String(row.id), detail: { name: row.name } });
    core.events.emit('profiles.changed', {});
    return toProfile(core, row);
  },
  async 'profiles.update'(input, { core }) {
    requireProfile(core, input.profileId);
    const { patch } = input;
    if (patch.name) {
      const other = core.profiles.byName(patch.name);
      if (other && other.id !== input.profileId) throw new AppError('CONFLICT', `A profile named "${patch.name}" already exists.`);
    }
    const row = core.profiles.update(input.profileId, patch)!;
    core.events.emit('profiles.changed', {});
    return toProfile(core, row);
  },
  async 'profiles.remove'(input, { core }) {
    const row = requireProfile(core, input.profileId);
    // Tokens first: a profile removed with its tokens left behind would leak them to a
    // future profile that reuses the id.
    for (const api of API_NAMES) await core.secrets.delete(row.id, api).catch(() => undefined);
    core.profiles.remove(row.id);
    core.events.emit('profiles.changed', {});
    return { ok: true as const };
  },
  async 'secrets.set'(input, { core }) {
    requireProfile(core, input.profileId);
    await core.secrets.set(input.profileId, input.api, input.token);
    core.audit.record({ profileId: input.profileId, action: 'token.set', subjectType: 'api', subjectId: input.api });
    core.events.emit('profiles.changed', {});
    return { ok: true as const };
  },
  async 'secrets.has'(input, { core }) {
    requireProfile(core, input.profileId);
    return { present: await core.secrets.has(input.profileId, input.api) };
  },
  async 'secrets.delete'(input, { core }) {
    requireProfile(core, input.profileId);
    await core.secrets.delete(input.profileId, input.api);
    core.audit.record({ profileId: input.profileId, action: 'token.delete', subjectType: 'api', subjectId: input.api });
    core.events.emit('profiles.changed', {});
    return { ok: true as const };
  },
  async 'app.info'(_input, { core, shell }) {
    return {
      version,
      shell: shell === 'electron' ? ('electron' as const) : ('web' as const),
      dataDir: core.dataDir,
      keychain: await core.secrets.status(),
    };
  },
};
