import { describe, expect, it } from 'vitest';
import { auditRowHash } from '../../core/audit/chain.ts';
import { appendAudit, auditChainRows } from '../../store/audit.repo.ts';
import type { Db } from '../../store/db.ts';
import { backends } from '../../testing/databases.ts';
import { Client, enrolTreatedPatient, seedTwoSites, testApp, tokenOf } from '../../testing/http.ts';
import { verifyAuditChains } from './audit.ts';

const SITE_A = '11111111-1111-4111-8111-111111111111';

/** A registry whose audit log has rows at two sites, without a site, and by many writers. */
async function auditedRegistry(db: Db) {
  await db.query(`insert into sites (id, name) values ($1, 'Chain A')`, [SITE_A]);
  const entry = (i: number, siteId: string | null) => ({
    siteId,
    actorKind: 'system' as const,
    actorUserId: null,
    action: `test-${i % 3}`,
    entity: 'test',
    entityId: String(i),
    patientId: null,
    detail: { i, text: 'line one\nline two, "quoted" – é', nested: { b: 1, a: [1.5, null] } },
  });
  // Several transactions at once: on PostgreSQL they run concurrently and share chains.
  await Promise.all(
    Array.from({ length: 24 }, (_, i) =>
      db.transaction(async (tx) => {
        await appendAudit(tx, entry(i, i % 4 === 0 ? null : SITE_A));
        await appendAudit(tx, { ...entry(i, SITE_A), personal: { name: 'Ada Testperson' } });
      }),
    ),
  );
}

async function rowIds(db: Db, where = 'true'): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `select id::text as id from audit_log where ${where} order by id`,
  );
  return rows.map((r) => r.id);
}

/** Edits behind StemTrack's back, as the table's owner could. */
async function behindTheBack(db: Db, sql: string, params: unknown[] = []) {
  await db.query('alter table audit_log disable trigger audit_log_no_change');
  try {
    await db.query(sql, params);
  } finally {
    await db.query('alter table audit_log enable trigger audit_log_no_change');
  }
}

describe.each(backends())('the audit log as hash chains on $name', (backend) => {
  it('chains every insert path, and the database and StemTrack agree on every hash', async () => {
    const db = await backend.open();
    try {
      await seedTwoSites(db, { admin: true });
      await auditedRegistry(db);
      // The one-statement survey submission writes its audit row in SQL.
      const { app } = testApp(db);
      const clinician = new Client(app);
      await clinician.signIn('clin@harbour.test');
      const { episodeId } = await enrolTreatedPatient(clinician);
      const issued = await clinician.call('POST', `/api/episodes/${episodeId}/surveys`, {
        timepoint: 'baseline',
      });
      expect(issued.status).toBe(201);
      const token = tokenOf(issued.body.url);
      const submitted = await new Client(app).call('POST', `/api/survey/${token}/submit`, {
        answers: { 'nrs-pain': { NRS: 6 }, koos: {} },
      });
      expect(submitted.status).toBe(201);
      const [submitRow] = await db.query<{ n: number }>(
        `select count(*)::int as n from audit_log where action = 'submit' and row_hash is not null`,
      );
      expect(submitRow?.n).toBe(1);
      const result = await verifyAuditChains(db);
      expect(result.problems).toEqual([]);
      expect(result.ok).toBe(true);
      expect(result.rows).toBeGreaterThan(48);
      const rows = await auditChainRows(db, '0', 10_000);
      for (const r of rows) expect(auditRowHash(r)).toBe(r.rowHash);
      const [sql] = await db.query<{ same: boolean }>(
        'select bool_and(audit_row_hash(a) = row_hash) as same from audit_log a',
      );
      expect(sql?.same).toBe(true);
    } finally {
      await db.close();
    }
  });

  it('hashes every column of audit_log', async () => {
    const db = await backend.open();
    try {
      const columns = await db.query<{ name: string }>(
        `select column_name as name from information_schema.columns
         where table_schema = current_schema() and table_name = 'audit_log' order by column_name`,
      );
      // Each column but the hash itself is in the hashed text: a column added later must be too.
      const hashed = [
        'id',
        'at',
        'site_id',
        'actor_kind',
        'actor_user_id',
        'action',
        'entity',
        'entity_id',
        'patient_id',
        'detail',
        'personal_digest',
        'chain',
        'chain_seq',
        'prev_hash',
      ];
      expect(columns.map((c) => c.name)).toEqual([...hashed, 'row_hash'].sort());
    } finally {
      await db.close();
    }
  });

  it('names a row changed behind its back', async () => {
    const db = await backend.open();
    try {
      await auditedRegistry(db);
      const ids = await rowIds(db, `site_id = '${SITE_A}'`);
      const target = ids[5];
      await behindTheBack(db, `update audit_log set detail = '{"i": 999}' where id = $1::bigint`, [
        target,
      ]);
      const result = await verifyAuditChains(db);
      expect(result.ok).toBe(false);
      expect(result.problems[0]).toMatchObject({ id: target, siteId: SITE_A });
      expect(result.problems[0]?.message).toMatch(/content does not match its hash/);
    } finally {
      await db.close();
    }
  });

  it('names the row after one deleted, and a chain whose last rows were cut off', async () => {
    const db = await backend.open();
    try {
      await auditedRegistry(db);
      const [mid] = await db.query<{ id: string; chain: number; next: string }>(
        `select a.id::text as id, a.chain, b.id::text as next from audit_log a
         join audit_log b on b.site_id = a.site_id and b.chain = a.chain and b.chain_seq = a.chain_seq + 1
         where a.site_id = $1 and a.personal_digest is null order by a.id limit 1`,
        [SITE_A],
      );
      await behindTheBack(db, 'delete from audit_log where id = $1::bigint', [mid?.id]);
      // (the row chosen keeps no personal values, whose foreign key would stop the delete)
      let result = await verifyAuditChains(db);
      expect(result.ok).toBe(false);
      expect(result.problems[0]).toMatchObject({ id: mid?.next, siteId: SITE_A });
      expect(result.problems[0]?.message).toMatch(/missing from its chain/);

      const fresh = await backend.open();
      try {
        await auditedRegistry(fresh);
        const [last] = await fresh.query<{ id: string }>(
          `select last_id::text as id from audit_chain_heads where site_key = $1 and last_seq > 1 limit 1`,
          [SITE_A],
        );
        await fresh.query('delete from audit_personal_values where audit_id = $1::bigint', [
          last?.id,
        ]);
        await behindTheBack(fresh, 'delete from audit_log where id = $1::bigint', [last?.id]);
        result = await verifyAuditChains(fresh);
        expect(result.ok).toBe(false);
        expect(result.problems[0]?.message).toMatch(/cut off its end/);
        expect(result.problems[0]?.message).toContain(`last row was ${last?.id}`);
      } finally {
        await fresh.close();
      }
    } finally {
      await db.close();
    }
  });

  it('names a forged row inserted past the trigger', async () => {
    const db = await backend.open();
    try {
      await auditedRegistry(db);
      const [head] = await db.query<{ chain: number; seq: string; hash: string }>(
        `select chain, last_seq::text as seq, last_hash as hash from audit_chain_heads
         where site_key = $1 order by chain limit 1`,
        [SITE_A],
      );
      const [max] = await db.query<{ id: string }>('select max(id)::text as id from audit_log');
      const forged = String(Number(max?.id) + 1);
      await db.query('alter table audit_log disable trigger audit_log_chain');
      try {
        // A plausible row: next position of a real chain, the right previous hash, a made-up hash.
        await db.query(
          `insert into audit_log
             (id, site_id, actor_kind, action, entity, chain, chain_seq, prev_hash, row_hash)
           overriding system value values ($1::bigint, $2, 'system', 'erase', 'patient', $3, $4::bigint + 1, $5, $6)`,
          [forged, SITE_A, head?.chain, head?.seq, head?.hash, 'f'.repeat(64)],
        );
      } finally {
        await db.query('alter table audit_log enable trigger audit_log_chain');
      }
      const result = await verifyAuditChains(db);
      expect(result.ok).toBe(false);
      expect(result.problems[0]).toMatchObject({ id: forged, siteId: SITE_A });
      expect(result.problems[0]?.message).toMatch(/content does not match its hash/);
    } finally {
      await db.close();
    }
  });

  it('lets only the table owner insert a row with its chain given (a restore)', async () => {
    const db = await backend.open();
    try {
      // The test's role owns the table, so this is accepted; the role that serves requests
      // is refused (roles.int.test.ts). Verification still checks the row like any other.
      await db.query(
        `insert into audit_log (site_id, actor_kind, action, entity, chain, chain_seq, prev_hash, row_hash)
         values ($1, 'system', 'x', 'y', 3, 1, $2, $3)`,
        [null, '0'.repeat(64), 'a'.repeat(64)],
      );
      const result = await verifyAuditChains(db);
      expect(result.ok).toBe(false);
      expect(result.problems[0]?.message).toMatch(/content does not match its hash/);
    } finally {
      await db.close();
    }
  });
});

describe.each(backends())('admins read the audit log over HTTP on $name', (backend) => {
  it('filters, pages and exports the site’s log, formula-safe, and logs each read', async () => {
    const db = await backend.open();
    try {
      await seedTwoSites(db, { admin: true });
      const { app } = testApp(db);
      const clinician = new Client(app);
      await clinician.signIn('clin@harbour.test');
      const { patientId } = await enrolTreatedPatient(clinician);
      const north = new Client(app);
      await north.signIn('clin@north.test');
      await enrolTreatedPatient(north);
      const [patient] = await db.query<{ registryId: string; siteId: string }>(
        'select registry_id as "registryId", site_id as "siteId" from patients where id = $1',
        [patientId],
      );
      // A value a spreadsheet would run, as a formula injected through a free-text field.
      await appendAudit(db, {
        siteId: patient?.siteId ?? null,
        actorKind: 'system',
        actorUserId: null,
        action: '=HYPERLINK("http://x")',
        entity: 'test',
        entityId: null,
        patientId: null,
      });
      for (const path of ['/api/audit', '/api/audit/log.csv', '/api/audit/verify'])
        expect((await clinician.call('GET', path)).status, path).toBe(403);

      const admin = new Client(app);
      await admin.signIn('admin@harbour.test');
      const all = await admin.call('GET', '/api/audit');
      expect(all.status).toBe(200);
      expect(all.body.rows.length).toBeGreaterThan(0);
      // Another site's rows never show.
      expect(JSON.stringify(all.body)).not.toContain('clin@north.test');
      const byPatient = await admin.call(
        'GET',
        `/api/audit?registryId=${encodeURIComponent(patient?.registryId ?? '')}`,
      );
      expect(byPatient.body.total).toBeGreaterThan(0);
      for (const r of byPatient.body.rows) expect(r.registryId).toBe(patient?.registryId);
      const byUser = await admin.call('GET', '/api/audit?user=clin%40harbour&action=create');
      for (const r of byUser.body.rows) {
        expect(r.actorEmail).toBe('clin@harbour.test');
        expect(r.action).toBe('create');
      }
      const none = await admin.call('GET', '/api/audit?from=2001-01-01&to=2001-01-31');
      expect(none.body).toMatchObject({ total: 0, rows: [] });
      const bad = await admin.call('GET', '/api/audit?from=yesterday&page=0');
      expect(bad.status).toBe(400);
      expect(bad.body.error.fields.map((f: { field: string }) => f.field).sort()).toEqual([
        'from',
        'page',
      ]);

      const csv = await admin.call('GET', '/api/audit/log.csv');
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
      expect(csv.body).toContain(`"'=HYPERLINK(""http://x"")"`);
      expect(csv.body).not.toMatch(/(^|,)=HYPERLINK/m);

      const verified = await admin.call('GET', '/api/audit/verify');
      expect(verified.body).toMatchObject({ ok: true, problems: [] });

      const reads = await db.query<{ how: string }>(
        `select detail->>'how' as how from audit_log
         where action = 'read' and entity = 'audit_log' order by id`,
      );
      expect(reads.map((r) => r.how)).toEqual(['page', 'page', 'page', 'page', 'csv', 'verify']);
    } finally {
      await db.close();
    }
  });
});
