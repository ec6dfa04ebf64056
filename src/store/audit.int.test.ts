import { describe, expect, it } from 'vitest';
import { backends, twoSiteDatabase } from '../testing/databases.ts';
import { appendAudit, personalDigest } from './audit.repo.ts';

describe.each(backends())('audit rows and the personal values kept apart on $name', (backend) => {
  const suite = twoSiteDatabase(backend);

  it('keeps identifying values apart, with their salted digest on the audit row', async () => {
    const { db } = suite;
    const [user] = await db.query<{ id: string; siteId: string }>(
      `select id, site_id as "siteId" from users where email = 'clin@harbour.test'`,
    );
    if (!user) throw new Error('seed user missing');
    const personal = { old: { familyName: 'Testperson' }, new: { familyName: 'Testpersson' } };
    await appendAudit(db, {
      siteId: user.siteId,
      actorKind: 'user',
      actorUserId: user.id,
      action: 'correct',
      entity: 'patient',
      entityId: null,
      patientId: null,
      detail: { fields: ['familyName'], reason: 'typing error' },
      personal,
    });
    const [row] = await db.query<{ id: string; detail: unknown; digest: string }>(
      `select id::text as id, detail, personal_digest as digest from audit_log
       where action = 'correct' order by id desc limit 1`,
    );
    expect(JSON.stringify(row?.detail)).not.toContain('Testperson');
    const [kept] = await db.query<{ salt: string; personal: string }>(
      'select salt, personal from audit_personal_values where audit_id = $1::bigint',
      [row?.id],
    );
    expect(JSON.parse(kept?.personal ?? '{}')).toEqual(personal);
    expect(row?.digest).toBe(personalDigest(kept?.salt ?? '', kept?.personal ?? ''));
    // An erasure deletes the values; the audit row cannot be changed, and need not be.
    await db.query('delete from audit_personal_values where audit_id = $1::bigint', [row?.id]);
    await expect(
      db.query(`update audit_log set personal_digest = null where id = $1::bigint`, [row?.id]),
    ).rejects.toThrow(/append-only/);
  });
});
