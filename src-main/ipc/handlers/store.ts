/** The host's channels: the store's state, backups, restores, a new store (see core/host.ts). */
import path from 'node:path';
import type { hostContract } from '../../../src-shared/ipc/contract';
import type { HandlerMap } from '../handlerTypes';
import type { HostHandlerContext } from '../../core/host';
import { defaultBackupName } from '../../core/host';

export const storeHandlers: HandlerMap<typeof hostContract, HostHandlerContext> = {
  'store.status'(_input, { host }) {
    return host.status();
  },
  'store.startNew'(_input, { host }) {
    return host.startNewStore();
  },
  'backup.create'(input, { host }) {
    return host.startBackup({ file: input.file, passphrase: input.passphrase, overwrite: input.overwrite });
  },
  'backup.preview'(input, { host }) {
    return host.previewBackup(input.file, input.passphrase);
  },
  'backup.restore'(input, { host }) {
    return host.startRestore({ file: input.file, passphrase: input.passphrase });
  },
  'backup.cancel'(input, { host }) {
    host.cancel(input.jobId);
    return { ok: true as const };
  },
  async 'backup.choosePath'(input, { host, shell }) {
    const choose = host.opts.hooks?.chooseBackupPath;
    if (shell !== 'electron' || !choose) return { path: null };
    const fallback = input.purpose === 'save' ? path.join(host.status().backupFolder, defaultBackupName()) : host.status().backupFolder;
    return { path: await choose(input.purpose, input.defaultPath ?? fallback) };
  },
};
