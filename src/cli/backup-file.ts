import { once } from 'node:events';
import { createReadStream, createWriteStream, renameSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip, createGzip } from 'node:zlib';
import { restoreBackup, writeBackup } from '../app/backup.ts';
import type { Db } from '../store/db.ts';

/** Writes the backup to FILE via a temporary file, so FILE exists only when complete. */
export async function writeBackupFile(db: Db, file: string) {
  const partial = `${file}.partial`;
  const gzip = createGzip();
  const out = createWriteStream(partial, { flags: 'wx', mode: 0o600 });
  gzip.pipe(out);
  try {
    const summary = await writeBackup(db, async (line) => {
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

export async function restoreBackupFile(db: Db, file: string) {
  const lines = createInterface({
    input: createReadStream(file).pipe(createGunzip()),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  return restoreBackup(db, lines);
}
