/**
 * The Electron shell: lifecycle, one window, the security guards, the save dialog, and the IPC
 * relay to the backend. The core does not run here: it lives in a utility process (Chromium's
 * Services API, Node inside), so nothing it does can freeze the window. Kept thin on purpose:
 * nothing here is needed to test the product, because this machine cannot run Electron; the
 * relay's logic is in relay.ts, tested without the binary.
 */
import path from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, utilityProcess } from 'electron';
import { contract } from '../../src-shared/ipc/contract';
import { BackendClient } from '../backend/client';
import type { FromBackend, PathPurpose, ToBackend } from '../backend/protocol';
import { hardenSession, isAppUrl } from './security';
import { createMainWindow } from './window';
import { EVENT_CHANNEL } from './ipcNames';
import { registerRelay } from './relay';
import { nativePaths } from './nativePaths';
import { SEMI_SPACE_MB } from '../jobs/protocol';

app.setName('Twofold');

/**
 * The save dialog (a CSV, a backup) or the open dialog (a backup), asked for by the backend. The
 * Electron-ABI builds of the native addons (nativePaths.ts) load in the utility process, where the
 * core runs; its job worker thread loads the same addon file.
 */
async function chooseSavePath(defaultName: string, purpose: PathPurpose): Promise<string | null> {
  const win = BrowserWindow.getFocusedWindow() ?? undefined;
  const filters = purpose === 'csv' ? [{ name: 'CSV', extensions: ['csv'] }] : [{ name: 'Twofold backup', extensions: ['twofold-backup'] }];
  if (purpose === 'backup-open') {
    const opts = { defaultPath: defaultName, filters, properties: ['openFile' as const] };
    const r = await (win ? dialog.showOpenDialog(win, opts) : dialog.showOpenDialog(opts));
    return r.canceled || !r.filePaths[0] ? null : r.filePaths[0];
  }
  const r = await (win ? dialog.showSaveDialog(win, { defaultPath: defaultName, filters }) : dialog.showSaveDialog({ defaultPath: defaultName, filters }));
  return r.canceled || !r.filePath ? null : r.filePath;
}

let backend: BackendClient | null = null;

async function start() {
  await app.whenReady();
  hardenSession();
  const native = nativePaths();
  // A larger young generation than V8's default (jobs/protocol.ts says why).
  const child = utilityProcess.fork(path.join(__dirname, 'backend.js'), [], {
    serviceName: 'Twofold backend',
    execArgv: [`--max-semi-space-size=${SEMI_SPACE_MB}`],
    stdio: 'inherit',
  });
  const client = new BackendClient(
    { post: (m: ToBackend) => child.postMessage(m), onMessage: (fn: (m: FromBackend) => void) => child.on('message', fn) },
    { chooseSavePath, kill: () => void child.kill() },
  );
  child.on('exit', (code) => client.exited(`it exited (${code})`));
  backend = client;
  await client.start({
    dataDir: process.env.TWOFOLD_DATA_DIR || app.getPath('userData'),
    shell: 'electron',
    sqliteNativeBinding: native.sqlite,
    keytarPath: native.keytar,
    askSavePath: true,
    // The app takes the store key from the OS keychain only (TWOFOLD_STORE_KEY is the CLI's).
    storeKeys: 'keychain',
  });
  const appEntry = 'file://' + path.join(__dirname, '../renderer/index.html');
  const win = createMainWindow();
  registerRelay({
    channels: Object.keys(contract),
    ipcMain,
    backend: client,
    // Only our own page may call in, never a frame that navigated elsewhere.
    isTrusted: (event) => !!event.senderFrame && isAppUrl(event.senderFrame.url, appEntry),
    send: (message) => {
      if (!win.isDestroyed()) win.webContents.send(EVENT_CHANNEL, message);
    },
    onClosed: (fn) => win.on('closed', fn),
  });
}

app.on('window-all-closed', () => app.quit());
app.on('will-quit', () => {
  void backend?.close();
});

start().catch((err) => {
  dialog.showErrorBox('Twofold could not start', (err as Error).message);
  app.exit(1);
});
