import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../store/db.ts';
import { backends } from '../testing/databases.ts';
import { restoreBackup, writeBackup } from './backup.ts';
import { seedDemoRegistry } from './demo.ts';

async function backupLines(db: Db): Promise<string[]> {
  const lines: string[] = [];
  await writeBackup(
    db,
    async (line) => {
      lines.push(line);
    },
    new Date('2026-11-25T12:00:00Z'),
  );
  return lines;
}

async function* from(lines: string[]) {
  yield* lines;
}

const count = async (db: Db, table: string) =>
  (await db.query<{ n: number }>(`select count(*)::int as n from ${table}`))[0]?.n;

describe.each(backends())('backup from $name', (source) => {
  let db: Db;
  let lines: string[];
  beforeAll(async () => {
    db = await source.open();
    await seedDemoRegistry(db, { seed: 3, patients: 150, now: new Date('2026-11-01T12:00:00Z') });
    lines = await backupLines(db);
  });
  afterAll(async () => {
    await db.close();
  });

  it('holds a header, one section per table and a footer with counts and digests', () => {
    const header = JSON.parse(lines[0] ?? '{}');
    expect(header).toMatchObject({ format: 'stemtrack-backup', formatVersion: 1 });
    expect(header.migrations).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    const footer = JSON.parse(lines.at(-1) ?? '{}');
    expect(footer.$end).toBe(true);
    expect(footer.tables.patients.rows).toBe(150);
    expect(footer.tables.adverse_events.rows).toBeGreaterThan(0);
    // Parents come before children, so a restore never breaks a foreign key.
    const sections = lines
      .filter((l) => l.startsWith('{"$table"'))
      .map((l) => JSON.parse(l).$table);
    expect(sections.indexOf('sites')).toBeLessThan(sections.indexOf('patients'));
    expect(sections.indexOf('responses')).toBeLessThan(sections.indexOf('response_scores'));
    expect(sections).not.toContain('schema_migrations');
    expect(sections).not.toContain('outcome_joint_scores');
  });

  for (const target of backends()) {
    it(`restores into an empty ${target.name} database exactly`, async () => {
      const empty = await target.open({ migrated: false });
      try {
        const result = await restoreBackup(empty, from(lines));
        expect(result.upgradedWith).toEqual([]);
        // Backing up the restored database gives the same file, line for line.
        const again = await backupLines(empty);
        expect(again).toEqual(lines);
        // Derived rows are rebuilt, not copied: the same per-joint outcome rows as the source.
        const derived =
          'select count(*)::int as n, sum(array_length(scores, 1))::int as slots from outcome_joint_scores';
        expect(await empty.query(derived)).toEqual(await db.query(derived));
        // And it works: new rows get fresh ids after the restored ones.
        await empty.query(
          `insert into audit_log (actor_kind, action, entity) values ('system', 'after-restore', 'test')`,
        );
      } finally {
        await empty.close();
      }
    });
  }

  it('refuses a database that already has data, a damaged file and a tampered row', async () => {
    await expect(restoreBackup(db, from(lines))).rejects.toThrow(/empty database/);
    const target = await source.open({ migrated: false });
    try {
      await expect(restoreBackup(target, from(lines.slice(0, -1)))).rejects.toThrow(
        /ends before its footer/,
      );
      expect(await count(target, 'patients')).toBe(0);
      const scoreLine = lines.findIndex((l) => l.startsWith('{"response_id"'));
      const tampered = [...lines];
      tampered[scoreLine] = (tampered[scoreLine] ?? '').replace(/"value":[0-9.]+/, '"value":99');
      await expect(restoreBackup(target, from(tampered))).rejects.toThrow(
        /response_scores: restored .* differ/,
      );
      expect(await count(target, 'patients')).toBe(0);
      await expect(restoreBackup(target, from(['{"hello":1}']))).rejects.toThrow(
        /not a StemTrack backup/,
      );
      const newer = [JSON.stringify({ ...JSON.parse(lines[0] ?? '{}'), migrations: [1, 99] })];
      await expect(restoreBackup(target, from(newer))).rejects.toThrow(/newer StemTrack/);
    } finally {
      await target.close();
    }
  });
});
