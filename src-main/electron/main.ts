/**
 * The Electron shell: lifecycle, one window, the security guards, and ipcMain.handle for every
 * channel of the contract over the same core the web shell and CLI use. Kept thin on purpose:
 * nothing here is needed to test the product, because this machine cannot run Electron.
 */
import path from 'node:path';
import { app, BrowserWindow, dialog, ipcMain } from 'electron';
import { CoreHost } from '../core/host';
import { KeychainSecretStore } from '../secrets/keychain';
import { KeychainStoreKeys } from '../secrets/storeKeys';
import { contract } from '../../src-shared/ipc/contract';
import { hardenSession, isAppUrl } from './security';
import { createMainWindow } from './window';
import { EVENT_CHANNEL } from './ipcNames';
import { nativePaths } from './nativePaths';

app.setName('Twofold');
// A larger young generation: an identity rebuild allocates millions of short-lived values per
// phase, and V8's default (16 MB semi-spaces) promotes them to the old generation, where every
// major collection walks the whole join store again (~12% of a 1M-person rebuild, measured in
// the web shell with the same flag; see scripts/start.js).
app.commandLine.appendSwitch('js-flags', '--max-semi-space-size=64');

let host: CoreHost | null = null;

async function start() {
  await app.whenReady();
  hardenSession();
  const native = nativePaths();
  // The app takes the store key from the OS keychain only (TWOFOLD_STORE_KEY is the CLI's).
  host = new CoreHost({
    dataDir: process.env.TWOFOLD_DATA_DIR || app.getPath('userData'),
    keys: new KeychainStoreKeys(native.keytar),
    secrets: new KeychainSecretStore(native.keytar),
    sqliteNativeBinding: native.sqlite,
    shell: 'electron',
    hooks: {
      async chooseBackupPath(purpose, defaultPath) {
        const win = BrowserWindow.getFocusedWindow() ?? undefined;
        const filters = [{ name: 'Twofold backup', extensions: ['twofold-backup'] }];
        if (purpose === 'save') {
          const r = await (win ? dialog.showSaveDialog(win, { defaultPath, filters }) : dialog.showSaveDialog({ defaultPath, filters }));
          return r.canceled || !r.filePath ? null : r.filePath;
        }
        const opts = { defaultPath, filters, properties: ['openFile' as const] };
        const r = await (win ? dialog.showOpenDialog(win, opts) : dialog.showOpenDialog(opts));
        return r.canceled || !r.filePaths[0] ? null : r.filePaths[0];
      },
      async chooseSavePath(defaultName: string) {
        const win = BrowserWindow.getFocusedWindow();
        const r = win
          ? await dialog.showSaveDialog(win, { defaultPath: defaultName, filters: [{ name: 'CSV', extensions: ['csv'] }] })
          : await dialog.showSaveDialog({ defaultPath: defaultName, filters: [{ name: 'CSV', extensions: ['csv'] }] });
        return r.canceled || !r.filePath ? null : r.filePath;
      },
    },
  });
  // A store that can't be opened (a lost key, a damaged file) still opens the window, which
  // says why and offers the ways out.
  await host.open();
  const appEntry = 'file://' + path.join(__dirname, '../renderer/index.html');
  for (const name of Object.keys(contract)) {
    ipcMain.handle(name, (event, input) => {
      // Only our own page may call in, never a frame that navigated elsewhere.
      if (!event.senderFrame || !isAppUrl(event.senderFrame.url, appEntry)) {
        return { ok: false, error: { code: 'VALIDATION', message: 'Calls are accepted from the Twofold window only.' } };
      }
      return host!.invoke(name, input, 'electron');
    });
  }
  const win = createMainWindow();
  const unsubscribe = host.events.subscribe((message) => {
    if (!win.isDestroyed()) win.webContents.send(EVENT_CHANNEL, message);
  });
  win.on('closed', unsubscribe);
}

app.on('window-all-closed', () => app.quit());
app.on('will-quit', () => {
  void host?.close();
});

start().catch((err) => {
  dialog.showErrorBox('Twofold could not start', (err as Error).message);
  app.exit(1);
});
