/**
 * CSV files for spreadsheets, streamed.
 *
 * Rules (a file that leaves this app ends up opened in Excel by someone else):
 * - UTF-8 with a byte-order mark, CRLF records, RFC 4180 quoting (csv-stringify): names with
 *   commas, quotes, line breaks and any script survive a round trip;
 * - formula injection: a text cell starting with =, +, -, @, tab or carriage return gets a
 *   leading apostrophe, so a spreadsheet shows it as text instead of running it (OWASP's
 *   advice). Numbers are written as numbers and left alone;
 * - bounded memory: rows go in in batches and each batch waits for the file to drain.
 */
import fs from 'node:fs';
import { once } from 'node:events';
import { stringify, type Stringifier } from 'csv-stringify';

const FORMULA_START = /^[=+\-@\t\r]/;

/** The text a spreadsheet will not evaluate. */
export function neutralizeCell(value: unknown): unknown {
  if (typeof value === 'string' && FORMULA_START.test(value)) return `'${value}`;
  return value;
}

export interface CsvFileWriter {
  /** Write one batch; resolves when the file has taken it (backpressure). */
  write(rows: unknown[][]): Promise<void>;
  /** Flush and close; resolves when the file is complete on disk. */
  finish(): Promise<void>;
  /** Stop and leave no partial file. */
  abort(): Promise<void>;
  readonly rowsWritten: number;
}

/** Opens `file` and writes the header row. Cells are neutralized; null and undefined are empty. */
export function createCsvFileWriter(file: string, header: string[]): CsvFileWriter {
  const out = fs.createWriteStream(file, { encoding: 'utf8' });
  const csv: Stringifier = stringify({ bom: true, record_delimiter: 'windows', quoted_match: null });
  csv.pipe(out);
  let failure: Error | null = null;
  const fail = (e: Error) => (failure ??= e);
  out.on('error', fail);
  csv.on('error', fail);
  let count = 0;
  csv.write(header.map(neutralizeCell));
  return {
    get rowsWritten() {
      return count;
    },
    async write(rows) {
      if (failure) throw failure;
      let ok = true;
      for (const row of rows) {
        ok = csv.write(row.map(neutralizeCell)) && ok;
        count++;
      }
      if (!ok && !failure) await once(csv, 'drain');
      if (failure) throw failure;
    },
    async finish() {
      csv.end();
      await once(out, 'finish');
      if (failure) throw failure;
    },
    async abort() {
      csv.unpipe(out);
      csv.destroy();
      out.destroy();
      await fs.promises.rm(file, { force: true });
    },
  };
}
