/**
 * The backend's side of the relay: creates the shell's CoreHost (the store, its key, and the core
 * from the composition root once the store opens) from the shell's init message, answers invokes with envelopes, forwards every event, looks up downloads, and
 * asks the shell for a save path when a service needs the steward to choose one.
 */
import path from 'node:path';
import { CoreHost } from '../core/host';
import { EnvStoreKey, KeychainStoreKeys } from '../secrets/storeKeys';
import { KeychainSecretStore } from '../secrets/keychain';
import { EnvOverlaySecretStore } from '../secrets/envOverlay';
import type { BackendInit, FromBackend, PathPurpose, Port, ToBackend } from './protocol';

export function serveBackend(port: Port<FromBackend, ToBackend>, onClosed: () => void): void {
  let host: CoreHost | null = null;
  let seq = 0;
  const savePaths = new Map<number, (p: string | null) => void>();
  const askShell = (defaultName: string, purpose: PathPurpose) =>
    new Promise<string | null>((resolve) => {
      const id = ++seq;
      savePaths.set(id, resolve);
      port.post({ type: 'chooseSavePath', id, defaultName, purpose });
    });

  const start = async (init: BackendInit) => {
    const keychain = new KeychainSecretStore(init.keytarPath);
    const keychainKeys = new KeychainStoreKeys(init.keytarPath);
    host = new CoreHost({
      dataDir: init.dataDir,
      // The app takes the store key from the OS keychain only; TWOFOLD_STORE_KEY is the CLI's.
      keys: init.storeKeys === 'env-or-keychain' ? (EnvStoreKey.fromEnv(process.env) ?? keychainKeys) : keychainKeys,
      secrets: init.envTokens ? new EnvOverlaySecretStore(keychain) : keychain,
      sqliteNativeBinding: init.sqliteNativeBinding,
      shell: init.shell,
      hooks: init.askSavePath
        ? {
            chooseSavePath: (defaultName) => askShell(defaultName, 'csv'),
            chooseBackupPath: (purpose, defaultPath) => askShell(defaultPath, purpose === 'save' ? 'backup-save' : 'backup-open'),
          }
        : {},
      // Long jobs go to a process of their own, bundled beside this backend (with its worker).
      core: { jobWorker: { script: path.join(__dirname, 'jobHost.js') } },
    });
    host.subscribe((message) => port.post({ type: 'event', message }));
    // A store that can't be opened (a lost key, a damaged file) still starts the backend: the
    // store's own channels answer why and offer the ways out.
    await host.open();
    port.post({ type: 'ready' });
  };

  port.onMessage((m: ToBackend) => {
    switch (m.type) {
      case 'init':
        start(m.init).catch((err: unknown) => port.post({ type: 'fatal', message: (err as Error).message }));
        return;
      case 'invoke':
        if (!host) return port.post({ type: 'reply', id: m.id, envelope: { ok: false, error: { code: 'INTERNAL', message: 'Twofold is still starting.' } } });
        void host.invoke(m.channel, m.input, m.shell).then((envelope) => port.post({ type: 'reply', id: m.id, envelope }));
        return;
      case 'download':
        void (host?.download(m.downloadId) ?? Promise.resolve(undefined)).then((entry) => port.post({ type: 'download', id: m.id, entry: entry ?? null }));
        return;
      case 'savePath':
        savePaths.get(m.id)?.(m.path);
        savePaths.delete(m.id);
        return;
      case 'close':
        void (host?.close() ?? Promise.resolve()).finally(() => {
          port.post({ type: 'closed' });
          onClosed();
        });
        return;
    }
  });
}
