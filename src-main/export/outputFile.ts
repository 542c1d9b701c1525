/**
 * Where a file the steward asked for may be written. Rules: the folder must already exist (a typo
 * in a path is reported, not turned into new folders); an existing folder, device or other
 * special file is refused and never replaced (a CSV renamed over /dev/null replaces the device);
 * an existing regular file is replaced whole, through a temporary name and a rename, so a reader
 * never sees half a file and a failure leaves the old one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../src-shared/errors';

/** The absolute path to write, or a BAD_INPUT saying why not. */
export function checkOutputFile(file: string): string {
  const target = path.resolve(file);
  let st: fs.Stats | null = null;
  try {
    st = fs.statSync(target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new AppError('BAD_INPUT', `${target} cannot be checked (${(err as NodeJS.ErrnoException).code}); choose another file.`);
  }
  if (st?.isDirectory()) throw new AppError('BAD_INPUT', `${target} is a folder; give a file name inside it, e.g. ${path.join(target, 'export.csv')}.`);
  if (st && !st.isFile()) throw new AppError('BAD_INPUT', `${target} is not a regular file (a device or other special file); Twofold never writes over one. Choose another file.`);
  const dir = path.dirname(target);
  let dirSt: fs.Stats;
  try {
    dirSt = fs.statSync(dir);
  } catch {
    throw new AppError('BAD_INPUT', `The folder ${dir} does not exist; create it first or choose another folder.`);
  }
  if (!dirSt.isDirectory()) throw new AppError('BAD_INPUT', `${dir} is not a folder; choose another place for the file.`);
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    throw new AppError('BAD_INPUT', `Twofold may not write in ${dir} (permission denied); choose another folder.`);
  }
  return target;
}

/** Writes `content` to a checked path, whole or not at all. */
export function writeOutputFile(file: string, content: string): string {
  const target = checkOutputFile(file);
  const partial = `${target}.partial`;
  try {
    fs.writeFileSync(partial, content, 'utf8');
    fs.renameSync(partial, target);
  } catch (err) {
    fs.rmSync(partial, { force: true });
    throw new AppError('BAD_INPUT', `${target} could not be written: ${(err as Error).message.split('\n')[0]}`);
  }
  return target;
}
