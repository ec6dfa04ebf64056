import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openPglite } from './db.ts';

// A new on-disk PGlite folder runs initdb in WebAssembly: seconds, more on a busy machine.
describe('embedded database folder lock', { timeout: 60_000 }, () => {
  const dirs: string[] = [];
  const freshDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'stemtrack-lock-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('refuses a folder held by another live process, naming it', async () => {
    const dir = freshDir();
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      writeFileSync(join(dir, 'stemtrack.pid'), String(other.pid));
      await expect(openPglite(dir)).rejects.toThrow(
        `in use by another StemTrack process (pid ${other.pid})`,
      );
    } finally {
      other.kill();
    }
  });

  it('takes over a lock left by a process that has died, and releases it on close', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'stemtrack.pid'), '999999999');
    const db = await openPglite(dir);
    expect(await db.query('select 1 as one')).toEqual([{ one: 1 }]);
    await db.close();
    const again = await openPglite(dir);
    await again.close();
  });
});
