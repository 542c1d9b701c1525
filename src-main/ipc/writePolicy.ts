/**
 * How each channel touches the store, so the core never blocks on a job's transaction:
 * - 'read': reads only (WAL snapshots: never waits for a writer);
 * - 'write': short writes on the core's connection; runs holding the write gate shared, so it
 *   waits (asynchronously) while a job's long transaction is open;
 * - 'self': starts jobs or a sync, which take the gate themselves (holding it here would make
 *   them wait for their own caller).
 * A channel without an entry is a compile error.
 */
import type { CoreContract } from '../../src-shared/ipc/contract';

export type WritePolicy = 'read' | 'write' | 'self';

/** The core's channels; the store's own (`store.*`, `backup.*`) are the host's and never reach the core. */
export const writePolicy: Record<keyof CoreContract & string, WritePolicy> = {
  'push.preview': 'write',
  'push.submit': 'write',
  'push.cancelPreview': 'read',
  'push.checkPending': 'write',
  'push.submissions': 'read',
  'identity.rebuild': 'self',
  'identity.status': 'read',
  'identity.settings.get': 'read',
  'identity.settings.set': 'self',
  'identity.precision': 'read',
  'identity.findings': 'read',
  'people.get': 'read',
  'people.linkVerdict': 'self',
  'conflicts.list': 'read',
  'conflicts.resolve': 'self',
  'conflicts.dismiss': 'self',
  'conflicts.reopen': 'self',
  'conflicts.bulkResolve': 'self',
  'conflicts.exportFixList': 'self', // a job (it logs the file it writes)
  'splits.list': 'read',
  'splits.approve': 'write',
  'splits.reject': 'write',
  'merges.list': 'read',
  'merges.undo': 'write',
  'insights.overview': 'read',
  'insights.lists': 'read',
  'insights.list': 'read',
  'insights.count': 'read',
  'insights.settings.get': 'read',
  'insights.settings.set': 'write',
  'insights.refresh': 'self',
  'exports.create': 'self',
  'exports.list': 'read',
  'exports.files': 'read',
  'exports.deleteFile': 'write',
  'jobs.list': 'read',
  'jobs.cancel': 'read',
  'profiles.list': 'read',
  'profiles.add': 'write',
  'profiles.update': 'write',
  'profiles.remove': 'write',
  'secrets.set': 'write',
  'secrets.has': 'read',
  'secrets.delete': 'write',
  'app.info': 'read',
  'reconcile.run': 'self',
  'reconcile.runs': 'read',
  'reconcile.report': 'read',
  'reconcile.exportCsv': 'self', // a job (it logs the file it writes: export/exportLog.ts)
  'reconcile.settings.get': 'read',
  'reconcile.settings.set': 'write',
  'reconcile.lagStats': 'read',
  // Cancelling only signals the running job; the job itself rolls back.
  'reconcile.cancel': 'read',
  'sandbox.start': 'self',
  'sandbox.ensure': 'self',
  'sandbox.status': 'read',
  'sandbox.admin': 'write',
  'sync.estimate': 'read',
  'sync.start': 'self',
  'sync.cancel': 'read',
  'sync.status': 'read',
  'sync.runs': 'read',
  'sync.quarantine': 'read',
  'sync.resetCheckpoints': 'write',
  'sync.settings': 'read',
  'sync.saveSettings': 'write',
  'connections.test': 'read',
};
