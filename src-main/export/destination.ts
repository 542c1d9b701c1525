/**
 * Where an export's file goes, settled on the core before its job runs: a save dialog in
 * Electron, a download in the web shell, a path from the CLI. A cancelled dialog costs nothing;
 * a path is checked first (outputFile.ts), so a bad one is said before any work is done.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { AppError } from '../../src-shared/errors';
import { checkOutputFile } from './outputFile';
import { exportsDir } from './listExport';

export type ExportDestination = { kind: 'file'; path: string } | { kind: 'download' } | { kind: 'dialog' };

/** The checked file a job writes, and for a download the id it is fetched by. */
export interface SettledFile {
  target: string;
  destination: 'file' | 'download';
  downloadId: string | null;
}

export interface DestinationDeps {
  dataDir: string;
  /** The Electron save dialog (absent elsewhere). */
  chooseSavePath?(defaultName: string): Promise<string | null>;
}

/**
 * Where a shell's export goes: a path only from a local caller (the CLI, a test; the renderer
 * never names a file to write), else Electron's save dialog, else a download.
 */
export function destinationFor(shell: string, path: string | null | undefined, hasDialog: boolean): ExportDestination {
  if (path) {
    if (shell !== 'cli' && shell !== 'test') throw new AppError('BAD_INPUT', 'A file path can only be given from the command line.');
    return { kind: 'file', path };
  }
  return shell === 'electron' && hasDialog ? { kind: 'dialog' } : { kind: 'download' };
}

/** The file to write, or null when the steward closed the dialog. */
export async function settleDestination(deps: DestinationDeps, fileName: string, dest: ExportDestination): Promise<SettledFile | null> {
  if (dest.kind === 'dialog') {
    if (!deps.chooseSavePath) throw new AppError('BAD_INPUT', 'This shell has no save dialog.');
    const chosen = await deps.chooseSavePath(fileName);
    return chosen ? { target: checkOutputFile(chosen), destination: 'file', downloadId: null } : null;
  }
  if (dest.kind === 'file') return { target: checkOutputFile(dest.path), destination: 'file', downloadId: null };
  const downloadId = crypto.randomBytes(16).toString('hex');
  return { target: path.join(exportsDir(deps), `${downloadId}.csv`), destination: 'download', downloadId };
}
