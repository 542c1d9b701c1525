/**
 * The composition root's second entry: the services a long job runs with, over one connection.
 * The job worker builds them over its own connection (with the core's tokens, sandbox servers
 * and clock reached by message); an inline runner (the CLI) over the core's.
 */
import type { Db } from '../store/db';
import { ProfilesRepo } from '../store/repos/profiles';
import { SettingsRepo } from '../store/repos/settings';
import { AuditRepo } from '../store/repos/audit';
import type { SecretStore } from '../secrets/secretStore';
import type { SandboxClock } from '../sandboxRuntime/clock';
import type { EventBus } from './events';
import { IdentityService } from '../identity/identityService';
import { ReconcileService } from '../reconcile/service';
import { connectorSources } from '../reconcile/sources';
import { Connections } from '../connections/connections';
import { DEFAULT_TUNING, type SyncTuning } from '../sync/config';
import { ensureInsightMeasures } from '../insights/measures';
import type { JobServices } from '../jobs/kinds';

export interface JobServiceDeps {
  db: Db;
  dataDir: string;
  events: Pick<EventBus, 'emit'>;
  secrets: Pick<SecretStore, 'get'>;
  sandboxes: { prepare(profileId: number): Promise<void> };
  clock: SandboxClock;
  tuning?: () => SyncTuning;
  /** The core's own services when inline (one instance of each per connection). */
  identity?: IdentityService;
  connections?: Connections;
}

export function createJobServices(d: JobServiceDeps): JobServices {
  const profiles = new ProfilesRepo(d.db);
  const settings = new SettingsRepo(d.db);
  const audit = new AuditRepo(d.db);
  // Inside a job the rebuild runs here, in the job's own transaction (no queue to ask).
  const identity = d.identity ?? new IdentityService({ db: d.db, settings, audit, events: d.events });
  const connections = d.connections ?? new Connections({ profiles, secrets: d.secrets, sandboxes: d.sandboxes, tuning: d.tuning ?? (() => DEFAULT_TUNING) });
  const reconcile = new ReconcileService(
    { db: d.db, profiles, settings, audit, events: d.events, clock: d.clock },
    connectorSources({ db: d.db, connections, refreshPersons: async (profileId) => identity.refreshAfterSync(profileId) }),
  );
  return {
    db: d.db,
    events: d.events,
    identity,
    reconcile,
    connections,
    exports: {
      db: d.db,
      dataDir: d.dataDir,
      profiles,
      settings,
      audit,
      events: d.events,
      // A job that reads a list brings its measures up to date itself: it already is the job.
      measures: (profileId, scoreDay) => ensureInsightMeasures(d.db, profileId, scoreDay !== undefined ? { scoreDay } : {}).state,
    },
  };
}
