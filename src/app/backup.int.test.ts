import { createHash, createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../store/db.ts';

import { listMigrations } from '../store/migrate.ts';
import { backends } from '../testing/databases.ts';
import { Client, testApp, testClock } from '../testing/http.ts';
import { verifyAuditChains } from './access/audit.ts';
import { restoreBackup, writeBackup } from './backup.ts';
import { DEMO_PASSWORD, seedDemoRegistry } from './demo.ts';

const KEY = Buffer.from('4b'.repeat(32), 'hex');

async function backupLines(db: Db): Promise<string[]> {
  const lines: string[] = [];
  await writeBackup(
    db,
    KEY,
    async (line) => {
      lines.push(line);
    },
    new Date('2026-11-25T12:00:00Z'),
  );
  return lines;
}

async function* lineStream(lines: string[]) {
  yield* lines;
}
const from = (lines: string[]) => () => lineStream(lines);
const restore = (db: Db, lines: string[], key = KEY) => restoreBackup(db, key, from(lines));

/** What an attacker without the key can do: change lines and recompute every digest. */
function withDigests(lines: string[]): string[] {
  const body = lines.slice(0, -2);
  const tables: Record<string, { rows: number; sha256: string }> = {};
  let current = '';
  let hash = createHash('sha256');
  let rows = 0;
  const close = () => {
    if (current) tables[current] = { rows, sha256: hash.digest('hex') };
  };
  for (const line of body.slice(1)) {
    if (line.startsWith('{"$table"')) {
      close();
      current = JSON.parse(line).$table;
      hash = createHash('sha256');
      rows = 0;
    } else {
      hash.update(`${line}\n`);
      rows++;
    }
  }
  close();
  return [...body, JSON.stringify({ $end: true, tables }), lines.at(-1) ?? ''];
}

/** What someone holding the key could do: sign the changed lines anew. */
function resigned(lines: string[]): string[] {
  const body = lines.slice(0, -1);
  const mac = createHmac('sha256', KEY);
  for (const line of body) mac.update(`${line}\n`);
  return [...body, JSON.stringify({ $hmac: mac.digest('hex') })];
}

/** Lines of a backup without one table's section, rows and footer entry. */
function withoutTable(lines: string[], table: string): string[] {
  const out: string[] = [];
  let skipping = false;
  for (const line of lines) {
    if (line.startsWith('{"$table"')) skipping = JSON.parse(line).$table === table;
    else if (line.startsWith('{"$end"')) skipping = false;
    if (!skipping) out.push(line);
  }
  return out;
}

const count = async (db: Db, table: string) =>
  (await db.query<{ n: number }>(`select count(*)::int as n from ${table}`))[0]?.n;

describe.each(backends())('backup from $name', (source) => {
  let db: Db;
  let lines: string[];
  beforeAll(async () => {
    db = await source.open();
    await seedDemoRegistry(db, { seed: 3, patients: 150, now: new Date('2026-11-01T12:00:00Z') });
    // A slowed sign-in, so the throttle table is backed up and restored with a row too.
    await db.query(
      `insert into sign_in_throttle (key, failures, last_failure_at)
       values ('login:someone@harbour.example', 3, '2026-11-01T11:00:00Z')`,
    );
    lines = await backupLines(db);
  });
  afterAll(async () => {
    await db.close();
  });

  it('holds a header, one section per table and a footer with counts and digests', () => {
    const header = JSON.parse(lines[0] ?? '{}');
    expect(header).toMatchObject({ format: 'stemtrack-backup', formatVersion: 2 });
    expect(header.migrations).toEqual(listMigrations().map((m) => m.version));
    expect(JSON.parse(lines.at(-1) ?? '{}').$hmac).toMatch(/^[0-9a-f]{64}$/);
    const footer = JSON.parse(lines.at(-2) ?? '{}');
    expect(footer.$end).toBe(true);
    expect(footer.tables.patients.rows).toBe(150);
    expect(footer.tables.sign_in_throttle.rows).toBe(1);
    expect(footer.tables.adverse_events.rows).toBeGreaterThan(0);
    // Parents come before children, so a restore never breaks a foreign key.
    const sections = lines
      .filter((l) => l.startsWith('{"$table"'))
      .map((l) => JSON.parse(l).$table);
    expect(sections.indexOf('sites')).toBeLessThan(sections.indexOf('patients'));
    expect(sections.indexOf('responses')).toBeLessThan(sections.indexOf('response_scores'));
    expect(sections).not.toContain('schema_migrations');
    expect(sections).not.toContain('outcome_joint_scores');
    expect(sections).not.toContain('audit_chain_heads');
    expect(sections).toContain('audit_log');
  });

  for (const target of backends()) {
    it(`restores into an empty ${target.name} database exactly`, async () => {
      const empty = await target.open({ migrated: false });
      try {
        const result = await restore(empty, lines);
        expect(result.upgradedWith).toEqual([]);
        expect(result.auditLog.ok).toBe(true);
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
    await expect(restore(db, lines)).rejects.toThrow(/empty database/);
    const target = await source.open({ migrated: false });
    try {
      await expect(restore(target, resigned(lines.slice(0, -2)))).rejects.toThrow(
        /ends before its footer/,
      );
      await expect(restore(target, lines.slice(0, -1))).rejects.toThrow(/no signature line/);
      expect(await count(target, 'patients')).toBe(0);
      const scoreLine = lines.findIndex((l) => l.startsWith('{"response_id"'));
      const tampered = [...lines];
      tampered[scoreLine] = (tampered[scoreLine] ?? '').replace(/"value":[0-9.]+/, '"value":99');
      await expect(restore(target, resigned(tampered))).rejects.toThrow(
        /response_scores: restored .* differ/,
      );
      expect(await count(target, 'patients')).toBe(0);
      await expect(restore(target, ['{"hello":1}'])).rejects.toThrow(/not a StemTrack backup/);
      const newer = [JSON.stringify({ ...JSON.parse(lines[0] ?? '{}'), migrations: [1, 99] })];
      await expect(restore(target, resigned([...newer, '{}']))).rejects.toThrow(/newer StemTrack/);
      await expect(restore(target, lines, Buffer.alloc(32, 1))).rejects.toThrow(
        /does not match its signature/,
      );
    } finally {
      await target.close();
    }
  });

  it('refuses a changed name with its digest recomputed, a removed audit log and an empty footer', async () => {
    const target = await source.open({ migrated: false });
    try {
      const identity = lines.findIndex((l) => l.includes('"family_name"'));
      const renamed = [...lines];
      renamed[identity] = (renamed[identity] ?? '').replace(
        /"family_name":"[^"]*"/,
        '"family_name":"Forged"',
      );
      const signatureFails = /does not match its signature under this BACKUP_KEY/;
      await expect(restore(target, withDigests(renamed))).rejects.toThrow(signatureFails);
      const noAudit = withDigests(withoutTable(lines, 'audit_log'));
      await expect(restore(target, noAudit)).rejects.toThrow(signatureFails);
      const emptyFooter = [...lines.slice(0, -2), '{"$end":true,"tables":{}}', lines.at(-1) ?? ''];
      await expect(restore(target, emptyFooter)).rejects.toThrow(signatureFails);
      // Refused before anything was written: not even the schema.
      const [schema] = await target.query<{ made: boolean }>(
        `select to_regclass('patients') is not null as made`,
      );
      expect(schema?.made).toBe(false);
      // Even signed by someone holding the key, a backup must hold every table of its schema.
      await expect(restore(target, resigned(noAudit))).rejects.toThrow(
        /lacks audit_log(, audit_personal_values)?, which every backup of schema \d+ holds/,
      );
      await expect(restore(target, resigned(emptyFooter))).rejects.toThrow(
        /footer lists no count and digest for .*audit_log/,
      );
      expect(await count(target, 'patients')).toBe(0);
    } finally {
      await target.close();
    }
  });

  it('erases again, on restoring the older backup, a patient erased after it', async () => {
    const harness = testApp(db, testClock('2026-11-26T09:00:00Z'));
    const clinician = new Client(harness.app);
    expect((await clinician.signIn('clinician@harbour.example', DEMO_PASSWORD)).status).toBe(200);
    const [patient] = await db.query<{ id: string; registryId: string; email: string | null }>(
      `select p.id, p.registry_id as "registryId", i.email from patients p
       join patient_identities i on i.patient_id = p.id
       where p.site_id = (select site_id from users where email = 'clinician@harbour.example')
         and exists (select 1 from responses r where r.patient_id = p.id)
       order by p.registry_id limit 1`,
    );
    if (!patient) throw new Error('no patient with answers');
    const erased = await clinician.call('POST', `/api/patients/${patient.id}/withdraw`, {
      data: 'erase',
      reason: 'GDPR Art. 17 request',
      confirm: patient.registryId,
    });
    expect(erased.status).toBe(200);
    const newer = await backupLines(db);

    // A newer backup changed by someone without the key is refused before anything is written.
    const forged = await source.open({ migrated: false });
    try {
      const other = newer.map((l) => l.replace(patient.id, '00000000-0000-4000-8000-000000000000'));
      await expect(
        restoreBackup(forged, KEY, from(lines), { erasuresFrom: [from(other)] }),
      ).rejects.toThrow(
        /newer backup read for its erasures \(number 1\): .*does not match its signature/,
      );
      const [schema] = await forged.query<{ made: boolean }>(
        `select to_regclass('patients') is not null as made`,
      );
      expect(schema?.made).toBe(false);
    } finally {
      await forged.close();
    }

    const target = await source.open({ migrated: false });
    try {
      const result = await restoreBackup(target, KEY, from(lines), { erasuresFrom: [from(newer)] });
      expect(result.erasures.erasedAgain).toBe(1);
      const tables = await target.query<{ name: string }>(
        `select table_name as name from information_schema.tables
         where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`,
      );
      const secrets = [`"${patient.registryId}"`, ...(patient.email ? [patient.email] : [])];
      for (const { name } of tables) {
        const rows = await target.query<{ row: string }>(
          `select row_to_json(t)::text as row from "${name}" t`,
        );
        for (const { row } of rows) {
          for (const secret of secrets)
            expect(row, `${name} holds ${secret}`).not.toContain(secret);
          // The bare id stays only in the append-only audit log, linked to nothing any more.
          if (name !== 'audit_log')
            expect(row, `${name} holds the patient id`).not.toContain(patient.id);
        }
      }
      const again = await target.query<{ detail: { reason: string }; patientId: string | null }>(
        `select detail, patient_id as "patientId" from audit_log
         where action = 'erase' and entity_id = $1`,
        [patient.id],
      );
      expect(again).toEqual([
        {
          detail: expect.objectContaining({
            reason: 'Erased again after restoring an older backup',
          }),
          patientId: null,
        },
      ]);
      expect((await verifyAuditChains(target)).ok).toBe(true);
      // Every other patient is as the older backup holds them.
      expect(await count(target, 'patients')).toBe(149);
    } finally {
      await target.close();
    }
  });
});
