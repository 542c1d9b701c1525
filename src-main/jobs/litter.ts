/** Files a stopped job may leave behind, removed after a hard stop (an export's partial file). */
import fs from 'node:fs';
import type { JobKind } from '../../src-shared/domain/jobs';
import { exportLitter } from '../export/listExport';
import { loggedCsvLitter } from '../export/exportLog';
import type { ExportJobInput, JobInput } from './types';

export function jobLitter(dataDir: string): (kind: JobKind, input: unknown) => string[] {
  return (kind, input) =>
    kind === 'export'
      ? exportLitter(dataDir, input as ExportJobInput)
      : kind === 'findingsCsv' || kind === 'fixList'
        ? loggedCsvLitter((input as JobInput<'fixList' | 'findingsCsv'>).target)
        : [];
}

/** Removes what a stopped job left (best effort: a file already gone or locked is left be). */
export function removeLitter(files: string[]): void {
  for (const f of files) {
    try {
      fs.rmSync(f, { force: true });
    } catch {
      /* best effort */
    }
  }
}
