import { afterEach, describe, expect, it } from 'vitest';
import { RunLog } from '../../src-main/sync/runs';
import { tempCore } from '../helpers/tempCore';

let core: ReturnType<typeof tempCore> | undefined;
afterEach(async () => core?.cleanup());

describe('which sync of a profile is still running', () => {
  it('a run this process owns but no longer runs is over at once, whatever its record says; one it runs is live', () => {
    core = tempCore();
    const profile = core.profiles.insert({ name: 'Org', vomoUrl: 'https://v.example', crmUrl: 'https://c.example', raiseUrl: null });
    const log = new RunLog(core.db);
    const live = log.create(profile.id, ['vomo'], false);
    expect(log.activeRun(profile.id, (id) => id === live)?.id).toBe(live);

    // Its record could not be closed (the store's disk was full): the heartbeat is fresh, the owner is us.
    expect(log.activeRun(profile.id, () => false)).toBeNull();
    const row = core.db.prepare('SELECT status FROM sync_runs WHERE id = ?').pluck().get(live);
    expect(row).toBe('failed');
    const collector = core.db.prepare('SELECT status, error_message FROM sync_run_collectors WHERE run_id = ?').get(live) as { status: string; error_message: string };
    expect(collector.status).toBe('failed');
    expect(collector.error_message).toMatch(/^interrupted: /);
  });
});
