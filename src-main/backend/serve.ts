/**
 * The backend's side of the relay: creates the core (the composition root) from the shell's
 * init message, answers invokes with envelopes, forwards every event, looks up downloads, and
 * asks the shell for a save path when a service needs the steward to choose one.
 */
import path from 'node:path';
import { createCore, type Core } from '../core/app';
import { KeychainSecretStore } from '../secrets/keychain';
import { EnvOverlaySecretStore } from '../secrets/envOverlay';
import type { BackendInit, FromBackend, Port, ToBackend } from './protocol';

export function serveBackend(port: Port<FromBackend, ToBackend>, onClosed: () => void): void {
  let core: Core | null = null;
  let seq = 0;
  const savePaths = new Map<number, (p: string | null) => void>();

  const start = (init: BackendInit) => {
    const keychain = new KeychainSecretStore(init.keytarPath);
    core = createCore({
      dataDir: init.dataDir,
      secrets: init.envTokens ? new EnvOverlaySecretStore(keychain) : keychain,
      sqliteNativeBinding: init.sqliteNativeBinding,
      shell: init.shell,
      hooks: init.askSavePath
        ? {
            chooseSavePath: (defaultName) =>
              new Promise((resolve) => {
                const id = ++seq;
                savePaths.set(id, resolve);
                port.post({ type: 'chooseSavePath', id, defaultName });
              }),
          }
        : {},
      // Long jobs go to a worker thread of this backend, bundled beside it.
      jobWorker: { script: path.join(__dirname, 'jobWorker.js') },
    });
    core.subscribe((message) => port.post({ type: 'event', message }));
    port.post({ type: 'ready' });
  };

  port.onMessage((m: ToBackend) => {
    switch (m.type) {
      case 'init':
        try {
          start(m.init);
        } catch (err) {
          port.post({ type: 'fatal', message: (err as Error).message });
        }
        return;
      case 'invoke':
        if (!core) return port.post({ type: 'reply', id: m.id, envelope: { ok: false, error: { code: 'INTERNAL', message: 'Twofold is still starting.' } } });
        void core.invoke(m.channel, m.input, m.shell).then((envelope) => port.post({ type: 'reply', id: m.id, envelope }));
        return;
      case 'download':
        void (core?.download(m.downloadId) ?? Promise.resolve(undefined)).then((entry) => port.post({ type: 'download', id: m.id, entry: entry ?? null }));
        return;
      case 'savePath':
        savePaths.get(m.id)?.(m.path);
        savePaths.delete(m.id);
        return;
      case 'close':
        void (core?.close() ?? Promise.resolve()).finally(() => {
          port.post({ type: 'closed' });
          onClosed();
        });
        return;
    }
  });
}
