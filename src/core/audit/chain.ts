import { createHash } from 'node:crypto';

/**
 * One audit_log row as its columns' text (what the database prints for each), the form the
 * chain's hash is taken over. Migration 0050's audit_row_text() builds the same text in SQL.
 */
export interface AuditChainRow {
  id: string;
  /** UTC, microseconds: 2026-11-25T12:00:00.123456Z */
  at: string;
  siteId: string | null;
  actorKind: string;
  actorUserId: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  patientId: string | null;
  /** jsonb's own text form (keys in its canonical order). */
  detail: string | null;
  personalDigest: string | null;
  chain: string | null;
  chainSeq: string | null;
  prevHash: string | null;
  rowHash: string | null;
}

/** The last row of one chain as the database records it (audit_chain_heads). */
export interface AuditChainHead {
  siteId: string | null;
  chain: string;
  lastSeq: string;
  lastId: string;
  lastHash: string;
}

export interface AuditChainProblem {
  /** The first row that does not fit, or null when rows are missing from a chain's end. */
  id: string | null;
  siteId: string | null;
  chain: string | null;
  message: string;
}

export const CHAIN_START = '0'.repeat(64);
const FORMAT_TAG = 'stemtrack-audit-1';

const field = (value: string | null) =>
  value === null ? '-' : `${Buffer.byteLength(value, 'utf8')}:${value}`;

/** Every column in a fixed order, each as "-" or "<bytes>:<text>", so no two rows share a text. */
export function auditRowText(r: AuditChainRow): string {
  return [
    FORMAT_TAG,
    r.id,
    r.at,
    r.siteId,
    r.actorKind,
    r.actorUserId,
    r.action,
    r.entity,
    r.entityId,
    r.patientId,
    r.detail,
    r.personalDigest,
    r.chain,
    r.chainSeq,
    r.prevHash,
  ]
    .map((v, i) => (i === 0 ? v : field(v)))
    .join('\n');
}

export function auditRowHash(r: AuditChainRow): string {
  return createHash('sha256').update(auditRowText(r), 'utf8').digest('hex');
}

const siteName = (siteId: string | null) => (siteId ? `site ${siteId}` : 'rows without a site');

/**
 * Walks the audit log in id order (ids rise along each chain) and names every row that does
 * not fit: content that differs from its hash, a gap or repeat in its chain's positions, or a
 * previous hash that is not the hash of the row before it. `finish` then compares each
 * chain's end with its recorded head, which shows rows cut off the end.
 */
export class AuditChainVerifier {
  rows = 0;
  readonly problems: AuditChainProblem[] = [];
  private readonly ends = new Map<string, { seq: bigint; hash: string; id: string }>();

  constructor(private readonly maxProblems = 50) {}

  private report(p: AuditChainProblem) {
    if (this.problems.length < this.maxProblems) this.problems.push(p);
  }

  add(r: AuditChainRow): void {
    this.rows += 1;
    const where = { id: r.id, siteId: r.siteId, chain: r.chain };
    if (r.chain === null || r.chainSeq === null || r.prevHash === null || r.rowHash === null) {
      this.report({
        ...where,
        message: `audit row ${r.id} (${siteName(r.siteId)}) has no place in a chain: it was written past the audit trigger`,
      });
      return;
    }
    const label = `audit row ${r.id} (${siteName(r.siteId)}, chain ${r.chain}, position ${r.chainSeq})`;
    if (auditRowHash(r) !== r.rowHash)
      this.report({
        ...where,
        message: `${label}: its content does not match its hash; a column was changed after it was written, or the row was forged`,
      });
    const key = `${r.siteId ?? ''}/${r.chain}`;
    const before = this.ends.get(key);
    const expected = (before?.seq ?? 0n) + 1n;
    const seq = BigInt(r.chainSeq);
    if (seq > expected)
      this.report({
        ...where,
        message: `${label}: ${seq - expected} row(s) before it are missing from its chain (expected position ${expected}${before ? `, after row ${before.id}` : ''}); rows were deleted`,
      });
    else if (seq < expected)
      this.report({
        ...where,
        message: `${label}: its chain already had position ${seq}${before ? ` (it follows row ${before.id})` : ''}; the row was inserted into the chain afterwards`,
      });
    else if (r.prevHash !== (before?.hash ?? CHAIN_START))
      this.report({
        ...where,
        message: `${label}: its previous hash is not the hash of ${before ? `row ${before.id}` : 'the chain start'}; the chain was altered here`,
      });
    this.ends.set(key, { seq, hash: r.rowHash, id: r.id });
  }

  /** Compares each chain's last row with the head the database recorded as rows were added. */
  finish(heads: AuditChainHead[]): void {
    const headed = new Set(heads.map((h) => `${h.siteId ?? ''}/${h.chain}`));
    for (const [key, end] of this.ends)
      if (!headed.has(key)) {
        const [site, chain] = key.split('/');
        this.report({
          id: end.id,
          siteId: site || null,
          chain: chain ?? null,
          message: `${siteName(site || null)}, chain ${chain}: the database holds no record of this chain's last row (it was removed)`,
        });
      }
    for (const h of heads) {
      const end = this.ends.get(`${h.siteId ?? ''}/${h.chain}`);
      const where = { id: null, siteId: h.siteId, chain: h.chain };
      const label = `${siteName(h.siteId)}, chain ${h.chain}`;
      if (!end)
        this.report({
          ...where,
          message: `${label}: every row is missing; its last row was ${h.lastId} at position ${h.lastSeq}`,
        });
      else if (end.seq !== BigInt(h.lastSeq) || end.hash !== h.lastHash)
        this.report({
          ...where,
          message: `${label}: the log ends at row ${end.id} (position ${end.seq}) but the chain's last row was ${h.lastId} (position ${h.lastSeq}); rows were cut off its end or its head was changed`,
        });
    }
  }

  get ok(): boolean {
    return this.problems.length === 0;
  }
}
