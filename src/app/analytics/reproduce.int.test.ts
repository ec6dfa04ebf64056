import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../store/db.ts';
import { backends } from '../../testing/databases.ts';
import type { AppContext } from '../context.ts';
import { seedDemoRegistry } from '../demo.ts';
import { buildExport, EXPORT_KINDS } from './export.ts';
import { ViewCache } from './view-cache.ts';

const NOW = new Date('2026-11-01T12:00:00Z');

/** Whether R with survival and nlme can run here; the reason when it cannot. */
function rMissing(): string | null {
  try {
    execFileSync('Rscript', ['-e', 'library(survival); library(nlme)'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'Rscript with the survival and nlme packages is not installed (apt-get install r-base-core r-cran-survival r-cran-nlme)';
  }
}
const missing = rMissing();

describe.each(backends())(
  'reproduce.R recomputes the report from the export on $name',
  (backend) => {
    let db: Db;
    let folder: string;
    beforeAll(async () => {
      db = await backend.open();
      await seedDemoRegistry(db, { seed: 3, patients: 150, now: NOW });
      const [site] = await db.query<{ id: string }>(
        `select site_id as id from patients group by site_id order by count(*) desc limit 1`,
      );
      const ctx = { db, now: () => NOW, publicUrl: '', views: new ViewCache() } as AppContext;
      folder = mkdtempSync(join(tmpdir(), 'stemtrack-export-'));
      for (const kind of EXPORT_KINDS) {
        const file = await buildExport(ctx, { siteId: site?.id ?? '' }, kind, 'deidentified');
        writeFileSync(join(folder, file.fileName), file.body);
      }
    });
    afterAll(async () => {
      await db.close();
      rmSync(folder, { recursive: true, force: true });
    });

    it.skipIf(missing !== null)(
      `agrees with survival, nlme and binom.test to 1e-6${missing ? ` (skipped: ${missing})` : ''}`,
      () => {
        const run = spawnSync('Rscript', ['reproduce.R'], { cwd: folder, encoding: 'utf8' });
        const summary =
          /reproduced (\d+) of (\d+) figures; largest difference (\S+); not recomputed (\d+)/.exec(
            run.stdout,
          );
        expect(summary, `${run.stdout}\n${run.stderr}`).not.toBeNull();
        const [, reproduced, total, , notRecomputed] = summary ?? [];
        expect(Number(total)).toBeGreaterThan(100);
        expect(Number(notRecomputed), run.stdout).toBe(0);
        expect(Number(reproduced)).toBe(Number(total));
        expect(run.status, run.stdout).toBe(0);
      },
    );
  },
);
