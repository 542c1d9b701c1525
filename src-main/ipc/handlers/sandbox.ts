import type { sandboxChannels } from '../../../src-shared/ipc/channels/sandbox';
import { AppError } from '../../../src-shared/errors';
import type { HandlerMap } from '../handlerTypes';
import { createSandboxProfile } from '../../sandboxRuntime/embedded';
import { requireProfile } from './profiles';

export const sandboxHandlers: HandlerMap<typeof sandboxChannels> = {
  async 'sandbox.start'(input, { core }) {
    const { profile } = await core.gate.shared(() => createSandboxProfile(core, { people: input.people, seed: input.seed }));
    // The first sync starts in the background so the steward lands on real numbers; the join is
    // rebuilt when it finishes.
    const syncRunId = input.sync ? (await core.sync.start(profile.id, {})).runId : null;
    return { profileId: profile.id, syncRunId };
  },
  async 'sandbox.status'(input, { core }) {
    const profile = requireProfile(core, input.profileId);
    if (!profile.is_sandbox) return { running: false, clock: null, owner: null, ownerShell: null, ownerPid: null, urls: null };
    return core.sandboxes.state(profile);
  },
  async 'sandbox.ensure'(input, { core }) {
    const profile = requireProfile(core, input.profileId);
    await core.sandboxes.ensure(profile);
    return core.sandboxes.state(profile);
  },
  async 'sandbox.admin'(input, { core }) {
    const profile = requireProfile(core, input.profileId);
    if (!profile.is_sandbox) throw new AppError('BAD_INPUT', `"${profile.name}" is not a sandbox profile.`);
    const { urls } = await core.sandboxes.ensure(profile);
    const body = input.action === 'advance' ? { days: input.days, hours: input.hours } : {};
    const res = await fetch(`${urls.admin}/${input.action}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new AppError('REMOTE_ERROR', `The sandbox refused ${input.action} (${res.status}).`);
    const text = await res.text();
    let result: unknown = null;
    try {
      result = text ? JSON.parse(text) : null;
    } catch {
      result = text;
    }
    await core.sandboxes.saveAll();
    return { ok: true as const, result };
  },
};
