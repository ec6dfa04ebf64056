import { createHash } from 'node:crypto';
import { DomainError } from '../core/errors.ts';
import {
  insertJsonRows,
  registryTables,
  resetIdentities,
  rowCount,
  type TableInfo,
  tableRowsAsJson,
} from '../store/backup.repo.ts';
import type { Db, Queryable } from '../store/db.ts';
import { listMigrations, migrate } from '../store/migrate.ts';

/**
 * Backups are JSON lines: a header naming the schema version, then for each table a section
 * line followed by its rows (row_to_json, primary-key order), then a footer with each
 * table's row count and SHA-256 of its row lines. A restore re-reads what it wrote and
 * compares those digests, so "restored" means byte-for-byte the rows that were backed up.
 */

export const BACKUP_FORMAT = 'stemtrack-backup';
export const BACKUP_FORMAT_VERSION = 1;
/** Kept by the migrations themselves, not restored as data. */
const SCHEMA_TABLE = 'schema_migrations';
/** Derived from other tables by triggers, so rebuilt by a restore rather than copied. */
const DERIVED_TABLES = new Set(['outcome_joint_scores', 'registry_versions']);
const isData = (t: TableInfo) => t.name !== SCHEMA_TABLE && !DERIVED_TABLES.has(t.name);

interface Header {
  format: typeof BACKUP_FORMAT;
  formatVersion: number;
  createdAt: string;
  /** Migration versions applied in the database that was backed up. */
  migrations: number[];
}
interface Section {
  $table: string;
  rows: number;
}
interface Footer {
  $end: true;
  tables: Record<string, { rows: number; sha256: string }>;
}

export interface BackupSummary {
  tables: Record<string, { rows: number; sha256: string }>;
  migrations: number[];
}

async function appliedMigrations(q: Queryable): Promise<number[]> {
  const [exists] = await q.query<{ present: boolean }>(
    `select to_regclass('${SCHEMA_TABLE}') is not null as present`,
  );
  if (!exists?.present) return [];
  const rows = await q.query<{ version: number }>(
    `select version from ${SCHEMA_TABLE} order by version`,
  );
  return rows.map((r) => r.version);
}

/** Reads every data table in one snapshot and hashes its rows as written to the backup. */
async function dumpTables(
  q: Queryable,
  tables: TableInfo[],
  write?: (line: string) => Promise<void>,
): Promise<Footer['tables']> {
  const digests: Footer['tables'] = {};
  for (const table of tables) {
    const rows = await rowCount(q, table);
    await write?.(JSON.stringify({ $table: table.name, rows } satisfies Section));
    const hash = createHash('sha256');
    let seen = 0;
    for await (const batch of tableRowsAsJson(q, table)) {
      for (const row of batch) {
        hash.update(`${row}\n`);
        await write?.(row);
      }
      seen += batch.length;
    }
    if (seen !== rows) throw new Error(`${table.name}: counted ${rows} rows but read ${seen}`);
    digests[table.name] = { rows, sha256: hash.digest('hex') };
  }
  return digests;
}

/** Writes a consistent backup of the whole database, line by line. */
export async function writeBackup(
  db: Db,
  write: (line: string) => Promise<void>,
  now = new Date(),
): Promise<BackupSummary> {
  return db.transaction(async (tx) => {
    // One snapshot for every table; dates in UTC so the text is the same on any server.
    await tx.query('set transaction isolation level repeatable read');
    await tx.query(`set local timezone = 'UTC'`);
    const migrations = await appliedMigrations(tx);
    if (migrations.length === 0) throw new DomainError('invalid', 'This database is empty');
    await write(
      JSON.stringify({
        format: BACKUP_FORMAT,
        formatVersion: BACKUP_FORMAT_VERSION,
        createdAt: now.toISOString(),
        migrations,
      } satisfies Header),
    );
    const tables = (await registryTables(tx)).filter(isData);
    const digests = await dumpTables(tx, tables, write);
    await write(JSON.stringify({ $end: true, tables: digests } satisfies Footer));
    return { tables: digests, migrations };
  });
}

function refuse(message: string): never {
  throw new DomainError('invalid', message);
}

/**
 * Restores a backup into an empty database: migrates it to the backup's schema version,
 * inserts every row in one transaction, checks each table's count and digest against the
 * backup's footer (rolling back on any difference), then applies newer migrations.
 */
export async function restoreBackup(
  db: Db,
  lines: AsyncIterable<string>,
): Promise<BackupSummary & { upgradedWith: string[] }> {
  const iterator = lines[Symbol.asyncIterator]();
  /** The next line, parsed, with its text (rows are restored from the text as written). */
  const next = async (): Promise<{ text: string; item: Record<string, unknown> } | undefined> => {
    for (;;) {
      const { value, done } = await iterator.next();
      if (done) return undefined;
      if (value.trim() === '') continue;
      try {
        return { text: value, item: JSON.parse(value) };
      } catch {
        refuse('The backup file is damaged: a line is not JSON');
      }
    }
  };
  const header = (await next())?.item as Partial<Header> | undefined;
  if (header?.format !== BACKUP_FORMAT) refuse('This is not a StemTrack backup file');
  if (header.formatVersion !== BACKUP_FORMAT_VERSION)
    refuse(`Backup format ${header.formatVersion} is not one this StemTrack reads`);
  const backupMigrations = header.migrations ?? [];
  const known = listMigrations();
  const unknown = backupMigrations.filter((v) => !known.some((m) => m.version === v));
  if (unknown.length > 0)
    refuse(
      `The backup was made by a newer StemTrack (schema ${unknown.join(', ')}); upgrade first`,
    );

  const present = await appliedMigrations(db);
  if (present.length > 0) {
    if (present.join() !== backupMigrations.join())
      refuse(
        'Restore into an empty database (or one at the backup’s schema version); this one has another schema',
      );
  } else {
    await migrate(
      db,
      known.filter((m) => backupMigrations.includes(m.version)),
    );
  }

  const result = await db.transaction(async (tx) => {
    await tx.query(`set local timezone = 'UTC'`);
    const tables = (await registryTables(tx)).filter(isData);
    for (const t of tables)
      if ((await rowCount(tx, t)) > 0)
        refuse(`Restore needs an empty database; ${t.name} already has rows`);
    const byName = new Map(tables.map((t) => [t.name, t]));
    let current: TableInfo | undefined;
    let batch: string[] = [];
    const flush = async () => {
      if (current) await insertJsonRows(tx, current, batch);
      batch = [];
    };
    let footer: Footer | undefined;
    for (;;) {
      const line = await next();
      if (line === undefined) break;
      const { item, text } = line;
      if (typeof item.$table === 'string') {
        await flush();
        current = byName.get(item.$table);
        if (!current) refuse(`The backup holds a table this schema lacks: ${item.$table}`);
        continue;
      }
      if (item.$end === true) {
        await flush();
        footer = item as unknown as Footer;
        break;
      }
      if (!current) refuse('The backup file is damaged: rows before any table');
      batch.push(text);
      if (batch.length >= 2000) await flush();
    }
    if (!footer) refuse('The backup file is incomplete: it ends before its footer');
    for (const t of tables) await resetIdentities(tx, t);
    // Read back what was restored and compare with what was backed up.
    const restored = await dumpTables(tx, tables);
    for (const [name, expected] of Object.entries(footer.tables)) {
      const got = restored[name];
      if (!got || got.rows !== expected.rows || got.sha256 !== expected.sha256)
        refuse(
          `${name}: restored ${got?.rows ?? 0} rows that differ from the backup's ${expected.rows}; nothing was restored`,
        );
    }
    return { tables: restored, migrations: backupMigrations };
  });
  const upgradedWith = await migrate(db);
  return { ...result, upgradedWith };
}
