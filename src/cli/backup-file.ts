import { once } from 'node:events';
import { createReadStream, createWriteStream, renameSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip, createGzip } from 'node:zlib';
import { restoreBackup, writeBackup } from '../app/backup.ts';
import type { Db } from '../store/db.ts';

/** Writes the backup to FILE via a temporary file, so FILE exists only when complete. */
export async function writeBackupFile(db: Db, key: Buffer, file: string) {
  const partial = `${file}.partial`;
  const gzip = createGzip();
  const out = createWriteStream(partial, { flags: 'wx', mode: 0o600 });
  gzip.pipe(out);
  try {
    const summary = await writeBackup(db, key, async (line) => {
      if (!gzip.write(`${line}\n`)) await once(gzip, 'drain');
    });
    gzip.end();
    await once(out, 'close');
    renameSync(partial, file);
    return summary;
  } catch (error) {
    gzip.destroy();
    out.destroy();
    rmSync(partial, { force: true });
    throw error;
  }
}

/** Reads FILE twice: once to check its signature, then to restore it. */
export async function restoreBackupFile(db: Db, key: Buffer, file: string) {
  const lines = () =>
    createInterface({
      input: createReadStream(file).pipe(createGunzip()),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
  try {
    return await restoreBackup(db, key, lines);
  } catch (error) {
    throw unreadableBackup(file, error) ?? error;
  }
}

/** zlib's own words ("incorrect header check") in terms of the file a person gave. */
function unreadableBackup(file: string, error: unknown): Error | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'Z_DATA_ERROR')
    return new Error(
      `${file} is not a StemTrack backup: it is not gzip-compressed (stemtrack backup writes .jsonl.gz files). Nothing was restored.`,
    );
  if (code === 'Z_BUF_ERROR')
    return new Error(
      `${file} ends too early: the backup is incomplete (copied before it was finished, or cut short). Nothing was restored.`,
    );
  return undefined;
}
