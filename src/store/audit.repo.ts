import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from './db.ts';
import type { SiteScope } from './scope.ts';

export interface AuditEntry {
  siteId: string | null;
  actorKind: 'user' | 'patient-link' | 'system';
  actorUserId: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  patientId: string | null;
  /** What happened, without anything that identifies a person (ids, codes, counts, reasons). */
  detail?: Record<string, unknown>;
  /**
   * Values that identify a person (old and new name, birth date, contact details, free text):
   * stored apart in audit_personal_values, the audit row keeping their salted SHA-256, so an
   * erasure can delete them without changing the audit row.
   */
  personal?: Record<string, unknown>;
}

/** The digest an audit row keeps of its personal values: SHA-256 over the salt and the JSON. */
export function personalDigest(salt: string, personalJson: string): string {
  return createHash('sha256').update(`${salt}\n${personalJson}`).digest('hex');
}

export async function appendAudit(q: Queryable, e: AuditEntry): Promise<void> {
  const personalJson = e.personal ? JSON.stringify(e.personal) : null;
  const salt = personalJson ? randomBytes(16).toString('hex') : null;
  const [row] = await q.query<{ id: string }>(
    `insert into audit_log (site_id, actor_kind, actor_user_id, action, entity, entity_id, patient_id, detail,
                            personal_digest)
     values ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9)
     returning id::text as id`,
    [
      e.siteId,
      e.actorKind,
      e.actorUserId,
      e.action,
      e.entity,
      e.entityId,
      e.patientId,
      e.detail ? JSON.stringify(e.detail) : null,
      salt && personalJson ? personalDigest(salt, personalJson) : null,
    ],
  );
  if (row && salt && personalJson && e.siteId)
    await q.query(
      `insert into audit_personal_values (audit_id, site_id, patient_id, salt, personal)
       values ($1::bigint, $2, $3, $4, $5)`,
      [row.id, e.siteId, e.patientId, salt, personalJson],
    );
}

export interface AuditRow {
  id: number;
  at: Date;
  actorKind: string;
  actorUserId: string | null;
  action: string;
  entity: string;
  entityId: string | null;
}

export function listAuditForPatient(
  q: Queryable,
  scope: SiteScope,
  patientId: string,
): Promise<AuditRow[]> {
  return q.query<AuditRow>(
    `select id::int as id, at, actor_kind as "actorKind", actor_user_id as "actorUserId",
            action, entity, entity_id as "entityId"
     from audit_log where site_id = $1 and patient_id = $2 order by id`,
    [scope.siteId, patientId],
  );
}
