import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildExportFolder } from '../app/analytics/export.ts';
import { ViewCache } from '../app/analytics/view-cache.ts';
import type { Db } from '../store/db.ts';

/**
 * Why DIR cannot take an export, or undefined if it can: a folder that holds files is
 * refused unless --force, so an export never mixes with (or replaces) other files unasked.
 */
export function refuseOutDir(outDir: string, force: boolean): string | undefined {
  if (!existsSync(outDir)) return undefined;
  if (!statSync(outDir).isDirectory())
    return `${outDir} is a file; --out takes a folder (a new one is created).`;
  const entries = readdirSync(outDir);
  if (entries.length === 0 || force) return undefined;
  return `the folder ${outDir} is not empty (it holds ${entries.length} file(s) or folder(s), such as ${entries[0]}). Give a new or empty folder with --out, or add --force to write into this one (files of the same names are replaced).`;
}

/** Writes the de-identified export of one site into `outDir`, saying what it writes as it goes. */
export async function exportCommand(
  db: Db,
  opts: { siteId: string; siteName: string; outDir: string },
): Promise<void> {
  console.log(`Reading the registry of ${opts.siteName}…`);
  const ctx = { db, now: () => new Date(), publicUrl: '', views: new ViewCache() };
  const folder = await buildExportFolder(ctx, { siteId: opts.siteId }, 'deidentified');
  console.log(
    `Read ${folder.patients} patients, ${folder.treatments} treatments and ${folder.responses} questionnaire responses.`,
  );
  mkdirSync(opts.outDir, { recursive: true });
  const written: { path: string; bytes: number }[] = [];
  for (const file of folder.files) {
    const path = join(opts.outDir, file.fileName);
    console.log(`Writing ${file.fileName} (${file.count} ${file.counted})…`);
    writeFileSync(path, file.body);
    written.push({ path, bytes: Buffer.byteLength(file.body) });
  }
  const total = written.reduce((n, w) => n + w.bytes, 0);
  const width = Math.max(...written.map((w) => w.path.length));
  console.log(`\nWrote ${written.length} files, ${formatSize(total)} in all:`);
  for (const w of written) console.log(`  ${w.path.padEnd(width)}  ${formatSize(w.bytes)}`);
}

/** Bytes as a person reads them: 812 B, 14.2 kB, 3.1 MB (powers of 1000, as file managers show). */
export function formatSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
