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
  detail?: Record<string, unknown>;
}

export async function appendAudit(q: Queryable, e: AuditEntry): Promise<void> {
  await q.query(
    `insert into audit_log (site_id, actor_kind, actor_user_id, action, entity, entity_id, patient_id, detail)
     values ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)`,
    [
      e.siteId,
      e.actorKind,
      e.actorUserId,
      e.action,
      e.entity,
      e.entityId,
      e.patientId,
      e.detail ? JSON.stringify(e.detail) : null,
    ],
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
