import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { verifyAuditChains } from '../app/access/audit.ts';
import { migrateAndGrant } from '../app/migrate.ts';
import { Client, enrolTreatedPatient, seedTwoSites, testApp } from '../testing/http.ts';
import { appendAudit } from './audit.repo.ts';
import { type Db, openPostgres } from './db.ts';

const adminUrl = inject('postgresUrl');

/** PostgreSQL only: PGlite has one role, and there the hash chain is the defence. */
describe.skipIf(!adminUrl)('serving as a role that may only append to the audit log', () => {
  const suffix = randomBytes(4).toString('hex');
  const database = `stemtrack_roles_${suffix}`;
  const ownerRole = `stemtrack_owner_${suffix}`;
  const appRole = `stemtrack_app_${suffix}`;
  const urlAs = (role: string) => {
    const url = new URL(adminUrl);
    url.username = role;
    url.password = '';
    url.pathname = `/${database}`;
    return url.toString();
  };
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  let owner: Db;
  let app: Db;

  beforeAll(async () => {
    await admin(`create role ${ownerRole} login`);
    await admin(`create role ${appRole} login`);
    await admin(`create database ${database} owner ${ownerRole}`);
    owner = await openPostgres(urlAs(ownerRole));
    await owner.query('grant create on schema public to current_user');
    await migrateAndGrant(owner, urlAs(appRole));
    app = await openPostgres(urlAs(appRole));
  });
  afterAll(async () => {
    await app?.close();
    await owner?.close();
    await admin(`drop database if exists ${database} with (force)`);
    await admin(`drop role if exists ${appRole}`);
    await admin(`drop role if exists ${ownerRole}`);
  });

  it('serves the registry as the app role, its audit rows chained', async () => {
    await seedTwoSites(app);
    const { app: http } = testApp(app);
    const clinician = new Client(http);
    expect((await clinician.signIn('clin@harbour.test')).status).toBe(200);
    const { episodeId, treatment } = await enrolTreatedPatient(clinician);
    expect(treatment.status).toBe(201);
    const issued = await clinician.call('POST', `/api/episodes/${episodeId}/surveys`, {
      timepoint: 'baseline',
    });
    expect(issued.status).toBe(201);
    const result = await verifyAuditChains(app);
    expect(result.problems).toEqual([]);
    expect(result.rows).toBeGreaterThan(0);
  });

  it('cannot change, delete, truncate or unguard the audit log, nor forge a chain', async () => {
    await appendAudit(app, {
      siteId: null,
      actorKind: 'system',
      actorUserId: null,
      action: 'probe',
      entity: 'test',
      entityId: null,
      patientId: null,
    });
    const refused = /permission denied|must be owner/;
    await expect(
      app.query('alter table audit_log disable trigger audit_log_no_change'),
    ).rejects.toThrow(refused);
    await expect(app.query('alter table audit_log disable trigger all')).rejects.toThrow(refused);
    await expect(app.query('drop trigger audit_log_chain on audit_log')).rejects.toThrow(refused);
    await expect(app.query(`update audit_log set action = 'x'`)).rejects.toThrow(refused);
    await expect(app.query('delete from audit_log')).rejects.toThrow(refused);
    await expect(app.query('truncate audit_log')).rejects.toThrow(refused);
    await expect(app.query('drop table audit_log cascade')).rejects.toThrow(refused);
    await expect(app.query(`update audit_chain_heads set last_seq = 0`)).rejects.toThrow(refused);
    await expect(
      app.query(
        `insert into audit_log (actor_kind, action, entity, chain, chain_seq, prev_hash, row_hash)
         values ('system', 'forged', 'test', 0, 1, $1, $1)`,
        ['0'.repeat(64)],
      ),
    ).rejects.toThrow(/only the owner of audit_log may insert rows with their chain/);
    // The guard itself: with update rights granted back, the append-only trigger still refuses.
    await owner.query(`grant update on audit_log to ${appRole}`);
    await expect(app.query(`update audit_log set action = 'x'`)).rejects.toThrow(/append-only/);
    await migrateAndGrant(owner, urlAs(appRole));
    await expect(app.query(`update audit_log set action = 'x'`)).rejects.toThrow(refused);
    expect((await verifyAuditChains(app)).ok).toBe(true);
  });

  it('refuses to grant a role that owns tables', async () => {
    await expect(migrateAndGrant(owner, urlAs(ownerRole))).rejects.toThrow(/owns tables/);
  });
});
