/**
 * "Add to CRM+" never acts on a store that a failed or held CRM+ sync left behind: contacts it
 * failed to read (or is about to mark deleted) would otherwise come back as "new" volunteers and
 * be created again in the organization's CRM.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { tempCore } from '../helpers/tempCore';
import { RunLog } from '../../src-main/sync/runs';
import { PushService } from '../../src-main/crmPush/pushService';
import { AppError } from '../../src-shared/errors';

const cores: ReturnType<typeof tempCore>[] = [];
afterEach(async () => {
  for (const c of cores.splice(0)) await c.cleanup();
});

function setup() {
  const core = tempCore();
  cores.push(core);
  const profile = core.profiles.insert({ name: 'Org', vomoUrl: 'http://127.0.0.1:9/v1', crmUrl: 'http://127.0.0.1:9', raiseUrl: null });
  const runs = new RunLog(core.db);
  const finish = (status: 'ok' | 'failed', errorCode: string | null, error: string | null) => {
    const id = runs.create(profile.id, ['crm'], true);
    runs.finishCollector(id, 'crm', { status, pages: 1, records: 10, entities: {}, errorCode, error, budgetRemaining: null, budgetResetAt: null, estimate: null }, Date.now());
    runs.finishRun(id, status, {});
  };
  const submit = () => new PushService(core).submit({ profileId: profile.id, batchId: 12345 });
  return { finish, submit };
}

async function failure(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    return err as AppError;
  }
  throw new Error('expected a refusal');
}

describe('the CRM+ push refuses to send', () => {
  it('after a CRM+ sync that stopped at the deletion valve, and says why', async () => {
    const { finish, submit } = setup();
    finish('failed', 'DELETIONS_HELD', 'CRM+: this full sync would mark 300 of 1,000 contacts (30%) as deleted');
    const e = await failure(submit());
    expect(e.code).toBe('CONFLICT');
    expect(e.message).toMatch(/^Nothing was sent: the last CRM\+ sync stopped before marking many contacts deleted \(CRM\+: this full sync would mark 300 of 1,000/);
    expect(e.message).toMatch(/duplicates/);
  });

  it('after a failed CRM+ sync, and sends again once a sync succeeds', async () => {
    const { finish, submit } = setup();
    finish('failed', 'REMOTE_ERROR', 'CRM+ sent a malformed page: "list" is null, not a list; nothing was marked deleted');
    const e = await failure(submit());
    expect(e.code).toBe('CONFLICT');
    expect(e.message).toMatch(/the last CRM\+ sync failed \(CRM\+ sent a malformed page/);
    finish('ok', null, null);
    // Past the guard: the request now fails only on its own (made-up) preview id.
    expect((await failure(submit())).code).toBe('NOT_FOUND');
  });
});
