import { z } from 'zod';
import { type AuditChainProblem, AuditChainVerifier } from '../../core/audit/chain.ts';
import { formatCsv } from '../../core/tabular/csv.ts';
import { parseInput } from '../../core/validation.ts';
import {
  type AuditLogEntry,
  type AuditLogFilter,
  auditActions,
  auditChainHeads,
  auditChainRows,
  listAuditLog,
} from '../../store/audit.repo.ts';
import type { Queryable } from '../../store/db.ts';
import { type AppContext, auditUser, requireRole, scopeOf, type UserActor } from '../context.ts';

export interface AuditVerification {
  ok: boolean;
  /** Rows checked. */
  rows: number;
  /** Chains the database records, with their last row: keep them elsewhere to prove later
   * that no chain was rewritten from some row to its end. */
  chains: number;
  /** The first row (in id order) that does not fit, then any others, at most 50. */
  problems: AuditChainProblem[];
}

const BATCH = 5000;

/** Recomputes every hash of the audit log (one site's chains when given) outside the database. */
export async function verifyAuditChains(q: Queryable, siteId?: string): Promise<AuditVerification> {
  const verifier = new AuditChainVerifier();
  let after = '0';
  for (;;) {
    const rows = await auditChainRows(q, after, BATCH, siteId);
    for (const row of rows) verifier.add(row);
    const last = rows.at(-1);
    if (!last || rows.length < BATCH) break;
    after = last.id;
  }
  const heads = await auditChainHeads(q, siteId);
  verifier.finish(heads);
  return {
    ok: verifier.ok,
    rows: verifier.rows,
    chains: heads.length,
    problems: verifier.problems,
  };
}

/** An admin checks their site's audit chains; the check itself is audited. */
export async function verifySiteAuditLog(
  ctx: AppContext,
  actor: UserActor,
): Promise<AuditVerification> {
  requireRole(actor, ['admin']);
  const result = await verifyAuditChains(ctx.db, actor.user.siteId);
  await auditRead(ctx.db, actor, 'verify', { ok: result.ok, rows: result.rows });
  return result;
}

const filterSchema = z.strictObject({
  registryId: z.string().trim().max(100).optional(),
  user: z.string().trim().max(200).optional(),
  action: z.string().trim().max(100).optional(),
  from: z.iso.date('A date as YYYY-MM-DD').optional(),
  to: z.iso.date('A date as YYYY-MM-DD').optional(),
  page: z.coerce
    .number({ error: 'A page number from 1' })
    .int('A page number from 1')
    .min(1, 'A page number from 1')
    .max(100_000, 'A page number up to 100000')
    .optional(),
});

export const AUDIT_PAGE_SIZE = 50;
/** A CSV holds at most this many rows; narrow the filter for more. */
export const AUDIT_CSV_MAX_ROWS = 100_000;

function filterOf(input: unknown): AuditLogFilter & { page: number } {
  const given = Object.fromEntries(
    Object.entries((input ?? {}) as Record<string, unknown>).filter(([, v]) => v !== ''),
  );
  const f = parseInput(filterSchema, given);
  return {
    ...(f.registryId ? { registryId: f.registryId } : {}),
    ...(f.user ? { user: f.user } : {}),
    ...(f.action ? { action: f.action } : {}),
    ...(f.from ? { from: f.from } : {}),
    ...(f.to ? { to: f.to } : {}),
    page: f.page ?? 1,
  };
}

/** Reading the log is itself recorded: who looked, how (page, csv, verify) and with which filter. */
async function auditRead(
  q: Queryable,
  actor: UserActor,
  how: 'page' | 'csv' | 'verify',
  detail: Record<string, unknown>,
) {
  await auditUser(q, actor, 'read', 'audit_log', null, null, { how, ...detail });
}

/** One page of the site's audit log (newest first) for an admin, with the actions to filter by. */
export async function auditLogPage(ctx: AppContext, actor: UserActor, query: unknown) {
  requireRole(actor, ['admin']);
  const { page, ...filter } = filterOf(query);
  const scope = scopeOf(actor);
  const result = await listAuditLog(ctx.db, scope, filter, {
    limit: AUDIT_PAGE_SIZE,
    offset: (page - 1) * AUDIT_PAGE_SIZE,
  });
  // Recorded after the read, so the page shows the log as it was when asked.
  await auditRead(ctx.db, actor, 'page', { filter, page });
  return {
    ...result,
    page,
    pageSize: AUDIT_PAGE_SIZE,
    actions: await auditActions(ctx.db, scope),
  };
}

const CSV_COLUMNS: (keyof AuditLogEntry)[] = [
  'id',
  'at',
  'actorKind',
  'actorEmail',
  'action',
  'entity',
  'entityId',
  'registryId',
  'detail',
];

/** The filtered log as CSV (formula-safe), oldest last as on the page. */
export async function auditLogCsv(ctx: AppContext, actor: UserActor, query: unknown) {
  requireRole(actor, ['admin']);
  const { page: _page, ...filter } = filterOf(query);
  const { rows, total } = await listAuditLog(ctx.db, scopeOf(actor), filter, {
    limit: AUDIT_CSV_MAX_ROWS,
    offset: 0,
  });
  await auditRead(ctx.db, actor, 'csv', { filter, rows: rows.length });
  const body = formatCsv(
    CSV_COLUMNS,
    rows.map((r) => CSV_COLUMNS.map((c) => r[c] ?? '')),
  );
  return { body, rows: rows.length, total, fileName: 'audit-log.csv' };
}
