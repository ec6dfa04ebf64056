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

const linesOf = (file: string) => () =>
  createInterface({
    input: createReadStream(file).pipe(createGunzip()),
    crlfDelay: Number.POSITIVE_INFINITY,
  });

/**
 * Reads FILE twice: once to check its signature, then to restore it. Each newer backup in
 * `erasuresFrom` is read once, its signature checked, for the erasures its audit log records.
 */
export async function restoreBackupFile(
  db: Db,
  key: Buffer,
  file: string,
  erasuresFrom: string[] = [],
) {
  let reading = file;
  // Names the file being read when zlib finds it is not a (complete) backup.
  const tracked = (name: string) => () => {
    reading = name;
    return linesOf(name)();
  };
  try {
    return await restoreBackup(db, key, tracked(file), {
      erasuresFrom: erasuresFrom.map(tracked),
    });
  } catch (error) {
    throw unreadableBackup(reading, error) ?? error;
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
