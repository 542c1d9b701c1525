/**
 * Messages between a shell (Electron's main process, the web shell's HTTP thread) and the
 * backend (the core in a utility process or a worker thread). Structured-clone safe: the same
 * messages travel over an Electron parentPort and a worker_threads port.
 */
import type { Envelope } from '../../src-shared/ipc/channel';
import type { EventMessage } from '../../src-shared/ipc/events';
import type { DownloadEntry } from '../export/downloads';

export interface BackendInit {
  dataDir: string;
  shell: 'electron' | 'web';
  /** Electron-ABI builds (README: native modules): better-sqlite3's addon and keytar's folder. */
  sqliteNativeBinding?: string;
  keytarPath?: string;
  /** The CLI's `serve` also reads TWOFOLD_*_TOKEN for its run. */
  envTokens?: boolean;
  /** Electron: ask the main process for a save path (its dialogs: a CSV, a backup to write or to read). */
  askSavePath?: boolean;
  /**
   * Where the store key comes from. 'keychain' (the app): the OS keychain only. 'env-or-keychain'
   * (the CLI's `serve`): TWOFOLD_STORE_KEY when set, else the keychain.
   */
  storeKeys?: 'keychain' | 'env-or-keychain';
}

/** What the backend asks the shell to choose: where to save a CSV or a backup, or which backup to open. */
export type PathPurpose = 'csv' | 'backup-save' | 'backup-open';

export type ToBackend =
  | { type: 'init'; init: BackendInit }
  | { type: 'invoke'; id: number; channel: string; input: unknown; shell: 'electron' | 'web' }
  | { type: 'download'; id: number; downloadId: string }
  | { type: 'savePath'; id: number; path: string | null }
  | { type: 'close' };

export type FromBackend =
  | { type: 'ready' }
  | { type: 'fatal'; message: string }
  | { type: 'reply'; id: number; envelope: Envelope<unknown> }
  | { type: 'download'; id: number; entry: DownloadEntry | null }
  | { type: 'event'; message: EventMessage }
  | { type: 'chooseSavePath'; id: number; defaultName: string; purpose?: PathPurpose }
  | { type: 'closed' };

/** Either end of the channel: an Electron utility process or parentPort, a worker thread or its parentPort. */
export interface Port<Out, In> {
  post(message: Out): void;
  onMessage(listener: (message: In) => void): void;
}
