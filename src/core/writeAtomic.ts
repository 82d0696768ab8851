/**
 * Writes a whole file or nothing: the text goes to a temporary file beside it, renamed over the
 * target once complete. A disk that fills (ENOSPC) leaves the previous file, or none, never a
 * truncated or empty one; the temporary file is removed and the error thrown.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export function writeFileAtomic(path: string, text: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
