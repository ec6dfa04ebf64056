import { createHash, randomBytes } from 'node:crypto';
import type { AuditChainHead, AuditChainRow } from '../core/audit/chain.ts';
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

const NO_SITE = '00000000-0000-0000-0000-000000000000';

/**
 * Audit rows as the chain's hash sees them (every column as text, `at` in UTC), in id order
 * after `afterId`, a batch at a time; only `siteId`'s rows when given.
 */
export function auditChainRows(
  q: Queryable,
  afterId: string,
  limit: number,
  siteId?: string,
): Promise<AuditChainRow[]> {
  return q.query<AuditChainRow>(
    `select id::text as id, to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at,
            site_id::text as "siteId", actor_kind as "actorKind",
            actor_user_id::text as "actorUserId", action, entity, entity_id as "entityId",
            patient_id::text as "patientId", detail::text as detail,
            personal_digest as "personalDigest", chain::text as chain,
            chain_seq::text as "chainSeq", prev_hash as "prevHash", row_hash as "rowHash"
     from audit_log
     where id > $1::bigint and ($2::uuid is null or site_id = $2::uuid)
     order by audit_log.id limit ${Math.trunc(limit)}`,
    [afterId, siteId ?? null],
  );
}

/** The recorded last row of every chain (of one site when given). */
export function auditChainHeads(q: Queryable, siteId?: string): Promise<AuditChainHead[]> {
  return q.query<AuditChainHead>(
    `select nullif(site_key, $1::uuid)::text as "siteId", chain::text as chain,
            last_seq::text as "lastSeq", last_id::text as "lastId", last_hash as "lastHash"
     from audit_chain_heads
     where $2::uuid is null or site_key = $2::uuid
     order by site_key, chain`,
    [NO_SITE, siteId ?? null],
  );
}

export interface AuditLogFilter {
  /** The patient's registry (study) id at the site. */
  registryId?: string;
  /** The user's e-mail address, or part of it. */
  user?: string;
  action?: string;
  /** Calendar dates, inclusive, read in UTC. */
  from?: string;
  to?: string;
}

export interface AuditLogEntry {
  id: string;
  at: string;
  actorKind: string;
  actorEmail: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  registryId: string | null;
  detail: string | null;
}

function auditWhere(scope: SiteScope, f: AuditLogFilter): { where: string; params: unknown[] } {
  const params: unknown[] = [scope.siteId];
  const clauses = ['a.site_id = $1'];
  const add = (clause: (n: string) => string, value: unknown) => {
    params.push(value);
    clauses.push(clause(`$${params.length}`));
  };
  if (f.registryId) add((n) => `p.registry_id = ${n}`, f.registryId);
  if (f.user) add((n) => `strpos(lower(u.email), lower(${n})) > 0`, f.user);
  if (f.action) add((n) => `a.action = ${n}`, f.action);
  if (f.from) add((n) => `a.at >= (${n}::date)::timestamp at time zone 'UTC'`, f.from);
  if (f.to) add((n) => `a.at < (${n}::date + 1)::timestamp at time zone 'UTC'`, f.to);
  return { where: clauses.join(' and '), params };
}

const AUDIT_FROM = `from audit_log a
  left join patients p on p.id = a.patient_id and p.site_id = a.site_id
  left join users u on u.id = a.actor_user_id`;

/** One page of a site's audit log, newest first, and how many rows match in all. */
export async function listAuditLog(
  q: Queryable,
  scope: SiteScope,
  filter: AuditLogFilter,
  page: { limit: number; offset: number },
): Promise<{ total: number; rows: AuditLogEntry[] }> {
  const { where, params } = auditWhere(scope, filter);
  const [count] = await q.query<{ n: number }>(
    `select count(*)::int as n ${AUDIT_FROM} where ${where}`,
    params,
  );
  const rows = await q.query<AuditLogEntry>(
    `select a.id::text as id, to_char(a.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as at,
            a.actor_kind as "actorKind", u.email as "actorEmail", a.action, a.entity,
            a.entity_id as "entityId", p.registry_id as "registryId", a.detail::text as detail
     ${AUDIT_FROM} where ${where}
     order by a.id desc limit ${Math.trunc(page.limit)} offset ${Math.trunc(page.offset)}`,
    params,
  );
  return { total: count?.n ?? 0, rows };
}

/** The actions a site's log holds, for the page's filter. */
export async function auditActions(q: Queryable, scope: SiteScope): Promise<string[]> {
  const rows = await q.query<{ action: string }>(
    'select distinct action from audit_log where site_id = $1 order by action',
    [scope.siteId],
  );
  return rows.map((r) => r.action);
}
