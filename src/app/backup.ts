import { createHash, createHmac, type Hmac, timingSafeEqual } from 'node:crypto';
import { DomainError } from '../core/errors.ts';
import { appendAudit } from '../store/audit.repo.ts';
import {
  insertJsonRows,
  registryTables,
  resetIdentities,
  rowCount,
  type TableInfo,
  tableRowsAsJson,
} from '../store/backup.repo.ts';
import { erasePatient, recordedErasures } from '../store/corrections.repo.ts';
import type { Db, Queryable } from '../store/db.ts';
import { listMigrations, migrate } from '../store/migrate.ts';
import { type AuditVerification, verifyAuditChains } from './access/audit.ts';

/**
 * Backups are JSON lines: a header naming the schema version, then for each table a section
 * line followed by its rows (row_to_json, primary-key order), then a footer with each
 * table's row count and SHA-256 of its row lines. A restore re-reads what it wrote and
 * compares those digests, so "restored" means byte-for-byte the rows that were backed up.
 *
 * The digests only catch accidents: anyone can recompute them. The last line is an
 * HMAC-SHA256 of every line before it under the registry's BACKUP_KEY, which lives outside
 * the database and the file, so a file changed by someone without the key (a patient's name,
 * a table removed, an emptied footer) is refused before anything is written.
 */

export const BACKUP_FORMAT = 'stemtrack-backup';
/** 2: the file ends with an HMAC line, and a restore expects every table of its schema. */
export const BACKUP_FORMAT_VERSION = 2;

/** BACKUP_KEY: 64 hex characters (32 random bytes), e.g. from `openssl rand -hex 32`. */
export function backupKey(hex: string | undefined, command: 'backup' | 'restore'): Buffer {
  if (!hex || !/^[0-9a-fA-F]{64}$/.test(hex))
    throw new DomainError(
      'invalid',
      `Set BACKUP_KEY to the registry's backup key (64 hex characters) to ${command}; a ${command} without it ${command === 'backup' ? 'could not be told apart from a forged one' : 'cannot tell a genuine backup from a changed one'}. Make one once with: openssl rand -hex 32, and keep it apart from the backups.`,
    );
  return Buffer.from(hex, 'hex');
}

/** The HMAC over a backup's lines, each with its line end, as written. */
function lineMac(key: Buffer): { add(line: string): void; hex(): string } {
  const mac: Hmac = createHmac('sha256', key);
  return {
    add: (line) => mac.update(`${line}\n`, 'utf8'),
    hex: () => mac.digest('hex'),
  };
}
/** Kept by the migrations themselves, not restored as data. */
const SCHEMA_TABLE = 'schema_migrations';
/** Derived from other tables by triggers, so rebuilt by a restore rather than copied. */
const DERIVED_TABLES = new Set([
  'outcome_joint_scores',
  'registry_versions',
  'audit_chain_heads',
  // Migration 0090's dashboard sums; the rules they count against are written again by the app.
  'episode_cohorts',
  'outcome_rules',
  'outcome_sums',
  'outcome_cohort_counts',
  'outcome_site_sums',
  'outcome_site_counts',
  'outcome_answer_counts',
  'outcome_site_answer_counts',
  'outcome_folded_scores',
  'outcome_joint_marks',
  'outcome_sums_pending',
  // Migration 0091's first treatment and last answer per joint.
  'episode_follow_up',
  // Migration 0101's Kaplan–Meier and flow counts per site, and what they hold per joint.
  'follow_up_folded',
  'time_to_event_counts',
  'follow_up_flow_counts',
  'follow_up_counts_pending',
  // Migration 0102's outreach counts per site, and each joint's share.
  'outreach_counts',
  'outreach_folded',
  'outreach_counts_pending',
  // Migration 0104's outreach counts per cohort key, and the key of each joint's share.
  'outreach_cohort_counts',
  'outreach_folded_keys',
  // Migration 0106's outcome sums per set of ages at treatment, and each joint's set.
  'outcome_folded_ages',
  'outcome_age_sums',
  'outcome_age_counts',
  'outcome_age_answer_counts',
  // Migration 0107's outreach counts per set of ages, and the set of each joint's shares.
  'outreach_age_counts',
  'outreach_folded_ages',
  // Migration 0108's outcome sums per set of treatment half-months, and each joint's set.
  'outcome_folded_half_months',
  'outcome_half_month_sums',
  'outcome_half_month_counts',
  'outcome_half_month_answer_counts',
  // Migration 0109's outreach counts per set of treatment half-months, and each joint's set.
  'outreach_half_month_counts',
  'outreach_folded_half_months',
  // Migration 0113's outcome sums per set of treatment keys (product, dose band, BMI class) with
  // their ages and with their half-months, and each joint's sets.
  'outcome_folded_cohort_ages',
  'outcome_cohort_age_sums',
  'outcome_cohort_age_counts',
  'outcome_cohort_age_answer_counts',
  'outcome_folded_cohort_half_months',
  'outcome_cohort_half_month_sums',
  'outcome_cohort_half_month_counts',
  'outcome_cohort_half_month_answer_counts',
  // Migration 0113's outreach counts per the same sets, and the sets of each joint's shares.
  'outreach_cohort_age_counts',
  'outreach_folded_cohort_ages',
  'outreach_cohort_half_month_counts',
  'outreach_folded_cohort_half_months',
]);
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
interface Signature {
  $hmac: string;
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
  key: Buffer,
  writeLine: (line: string) => Promise<void>,
  now = new Date(),
): Promise<BackupSummary> {
  const mac = lineMac(key);
  const write = async (line: string) => {
    mac.add(line);
    await writeLine(line);
  };
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
    await writeLine(JSON.stringify({ $hmac: mac.hex() } satisfies Signature));
    return { tables: digests, migrations };
  });
}

function refuse(message: string): never {
  throw new DomainError('invalid', message);
}

/** Parsed lines of a backup, with their text (rows are restored from the text as written). */
async function* parsedLines(
  lines: AsyncIterable<string>,
): AsyncGenerator<{ text: string; item: Record<string, unknown> }> {
  for await (const text of lines) {
    if (text.trim() === '') continue;
    let item: unknown;
    try {
      item = JSON.parse(text);
    } catch {
      refuse('The backup file is damaged: a line is not JSON. Nothing was restored.');
    }
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      refuse('The backup file is damaged: a line is not a JSON object. Nothing was restored.');
    yield { text, item: item as Record<string, unknown> };
  }
}

const sameMac = (a: string, b: unknown) =>
  typeof b === 'string' &&
  a.length === b.length &&
  timingSafeEqual(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/**
 * Reads the whole file once and checks its HMAC under `key`: true when every line before the
 * signature is as the registry wrote it. Refuses a file with no signature or lines after it.
 */
async function authenticate(
  lines: AsyncIterable<string>,
  key: Buffer,
  /** Sees every line before the signature; what it collects is trustworthy once this returns. */
  onLine?: (item: Record<string, unknown>) => void,
): Promise<void> {
  const mac = lineMac(key);
  let signature: unknown;
  let first = true;
  for await (const { text, item } of parsedLines(lines)) {
    if (first && item.format !== BACKUP_FORMAT) refuse('This is not a StemTrack backup file');
    if (first && item.formatVersion !== BACKUP_FORMAT_VERSION)
      refuse(
        item.formatVersion === 1
          ? 'This backup was written before backups were signed (format 1); StemTrack cannot tell it from a changed one. Restore it with the StemTrack version that wrote it, then take a new backup.'
          : `Backup format ${String(item.formatVersion)} is not one this StemTrack reads`,
      );
    first = false;
    if (signature !== undefined)
      refuse(
        'The backup file has lines after its signature; it was changed. Nothing was restored.',
      );
    if ('$hmac' in item) signature = item.$hmac;
    else {
      mac.add(text);
      onLine?.(item);
    }
  }
  if (first) refuse('The backup file is empty');
  if (signature === undefined)
    refuse(
      'The backup file is incomplete or was changed: it has no signature line at its end. Nothing was restored.',
    );
  if (!sameMac(mac.hex(), signature))
    refuse(
      'The backup does not match its signature under this BACKUP_KEY: it was changed after it was written, or it was made with another key. Nothing was restored.',
    );
}

/**
 * Restores a backup into an empty database. First reads the whole file to check its
 * signature (nothing is touched before that), then migrates the database to the backup's
 * schema version, inserts every row in one transaction, checks that the backup holds every
 * table of that schema and nothing else, and each table's count and digest against the
 * footer (rolling back on any difference), then applies newer migrations. `open` gives the
 * file's lines from the start, once per pass.
 */
export async function restoreBackup(
  db: Db,
  key: Buffer,
  open: () => AsyncIterable<string>,
  options: {
    /** Newer backups (signed under the same key) whose recorded erasures are re-applied. */
    erasuresFrom?: (() => AsyncIterable<string>)[];
  } = {},
): Promise<
  BackupSummary & {
    upgradedWith: string[];
    auditLog: AuditVerification;
    erasures: ErasureOutcome;
    createdAt: string;
  }
> {
  // Every source is checked before anything is written, as the backup itself is.
  const later: RecordedErasure[] = [];
  for (const [i, source] of (options.erasuresFrom ?? []).entries()) {
    try {
      later.push(...(await erasuresIn(source, key)));
    } catch (error) {
      // Say which file: the older backup has not been read yet.
      if (error instanceof DomainError)
        throw new DomainError(
          error.code,
          `The newer backup read for its erasures (number ${i + 1}): ${error.message}`,
        );
      throw error;
    }
  }
  await authenticate(open(), key);
  const iterator = parsedLines(open())[Symbol.asyncIterator]();
  const mac = lineMac(key);
  const next = async () => {
    const { value, done } = await iterator.next();
    if (done) return undefined;
    if (!('$hmac' in value.item)) mac.add(value.text);
    return value;
  };
  const header = (await next())?.item as Partial<Header> | undefined;
  if (header?.format !== BACKUP_FORMAT) refuse('This is not a StemTrack backup file');
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
    const schema = backupMigrations.at(-1);
    const lacks = (names: string[]) =>
      `The backup lacks ${names.join(', ')}, which every backup of schema ${schema} holds (even when empty); it is incomplete or was cut. Nothing was restored.`;
    const seen = new Set<string>();
    let current: TableInfo | undefined;
    let batch: string[] = [];
    const flush = async () => {
      if (current) await insertJsonRows(tx, current, batch);
      batch = [];
    };
    let footer: Footer | undefined;
    let signature: unknown;
    for (;;) {
      const line = await next();
      if (line === undefined) break;
      const { item, text } = line;
      if (footer) {
        signature = item.$hmac;
        break;
      }
      if (typeof item.$table === 'string') {
        await flush();
        current = byName.get(item.$table);
        if (!current) refuse(`The backup holds a table this schema lacks: ${item.$table}`);
        if (seen.has(item.$table)) refuse(`The backup holds the table ${item.$table} twice`);
        // Tables come in the schema's order, so one left out shows before its children's rows.
        const skipped = tables
          .slice(0, tables.indexOf(current))
          .filter((t) => !seen.has(t.name))
          .map((t) => t.name);
        if (skipped.length > 0) refuse(lacks(skipped));
        seen.add(item.$table);
        continue;
      }
      if (item.$end === true) {
        await flush();
        footer = item as unknown as Footer;
        continue;
      }
      if (!current) refuse('The backup file is damaged: rows before any table');
      batch.push(text);
      if (batch.length >= 2000) await flush();
    }
    if (!footer) refuse('The backup file is incomplete: it ends before its footer');
    // The file may not change between the two passes.
    if (!sameMac(mac.hex(), signature))
      refuse('The backup file changed while it was being restored. Nothing was restored.');
    const lacking = tables.filter((t) => !seen.has(t.name)).map((t) => t.name);
    if (lacking.length > 0) refuse(lacks(lacking));
    const footerTables = Object.keys(footer.tables ?? {});
    const unlisted = tables.filter((t) => !footerTables.includes(t.name)).map((t) => t.name);
    if (unlisted.length > 0)
      refuse(
        `The backup's footer lists no count and digest for ${unlisted.join(', ')}; it is damaged. Nothing was restored.`,
      );
    const extra = footerTables.filter((name) => !byName.has(name));
    if (extra.length > 0)
      refuse(`The backup's footer lists tables schema ${schema} lacks: ${extra.join(', ')}`);
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
  // A backup of a log already changed behind StemTrack's back restores as it was; say so.
  const auditLog = await verifyAuditChains(db);
  let erasures: ErasureOutcome;
  try {
    erasures = await reapplyErasures(db, later);
  } catch (error) {
    throw new DomainError(
      'invalid',
      `The backup was restored, but erasures recorded after it could not be applied again (${error instanceof Error ? error.message : String(error)}). Do not use this database: empty it and restore again.`,
    );
  }
  return { ...result, upgradedWith, auditLog, erasures, createdAt: String(header.createdAt) };
}

/** An erasure as the audit log records it: no identifying value, only the internal ids. */
export interface RecordedErasure {
  siteId: string;
  patientId: string;
  at: string;
}

export interface ErasureOutcome {
  /** Patients erased again: their erasure was recorded after the backup was taken. */
  erasedAgain: number;
  /** Erasures found (in the restored log and the newer backups), whose patient is gone. */
  alreadyGone: number;
}

/**
 * The erasures a (newer) backup's audit log records, read only after its signature under
 * `key` holds: `erase` rows of a patient, with the site, the internal id and when.
 */
async function erasuresIn(
  open: () => AsyncIterable<string>,
  key: Buffer,
): Promise<RecordedErasure[]> {
  const found: RecordedErasure[] = [];
  let table = '';
  await authenticate(open(), key, (item) => {
    if (typeof item.$table === 'string') table = item.$table;
    else if (
      table === 'audit_log' &&
      item.action === 'erase' &&
      item.entity === 'patient' &&
      typeof item.entity_id === 'string' &&
      typeof item.site_id === 'string'
    )
      found.push({ siteId: item.site_id, patientId: item.entity_id, at: String(item.at) });
  });
  return found;
}

/**
 * Erases again, in one transaction, every patient of the restored database whose erasure is
 * recorded, in its own audit log or in a newer backup's. Each one re-applied gets its own
 * `erase` row, so a later backup of this database carries it on.
 */
export async function reapplyErasures(
  db: Db,
  later: readonly RecordedErasure[],
): Promise<ErasureOutcome> {
  return db.transaction(async (tx) => {
    const known = await recordedErasures(tx);
    const recorded = new Set(known.map((e) => e.patientId));
    const all = [
      ...known.map((e) => ({ ...e, at: e.at.toISOString() })),
      ...later.filter((e) => !recorded.has(e.patientId)),
    ];
    const outcome: ErasureOutcome = { erasedAgain: 0, alreadyGone: 0 };
    const done = new Set<string>();
    for (const e of all) {
      if (done.has(e.patientId)) continue;
      done.add(e.patientId);
      const [present] = await tx.query<{ id: string }>(
        'select id from patients where site_id = $1 and id = $2',
        [e.siteId, e.patientId],
      );
      if (!present) {
        outcome.alreadyGone++;
        continue;
      }
      await erasePatient(tx, { siteId: e.siteId }, e.patientId);
      await appendAudit(tx, {
        siteId: e.siteId,
        actorKind: 'system',
        actorUserId: null,
        action: 'erase',
        entity: 'patient',
        entityId: e.patientId,
        patientId: null,
        detail: { reason: 'Erased again after restoring an older backup', erasedAt: e.at },
      });
      outcome.erasedAgain++;
    }
    return outcome;
  });
}
