import { call } from '../../ipc/client';

/**
 * Starts the embedded sandbox and creates (or reuses) the Sandbox profile; returns its id.
 * The channel arrives with the sandbox issue; until then the call fails with a typed error.
 */
export async function startSandboxProfile(): Promise<number> {
  const r = (await call('sandbox.start' as never, {} as never)) as { profileId: number };
  return r.profileId;
}
