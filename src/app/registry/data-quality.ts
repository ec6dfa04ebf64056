import { notFound } from '../../core/errors.ts';
import {
  checkTreatment,
  dataQualityReviewSchema,
  findingKey,
  RANGE_RULES,
} from '../../core/registry/data-quality.ts';
import { parseInput } from '../../core/validation.ts';
import { insertReview, treatmentsToCheck } from '../../store/data-quality.repo.ts';
import {
  type AppContext,
  CLINICAL_ROLES,
  requireRole,
  scopeOf,
  type UserActor,
} from '../context.ts';
import { auditUser } from './patients.ts';

/** One open query of a record: a value to verify or a value missing. */
export interface OpenQuery {
  rule: string;
  field: string;
  severity: 'implausible' | 'missing';
  message: string;
}

/**
 * The site's treatments with open data-quality queries (REDCap's data-quality module is the
 * model): implausible values saved with a confirmation and values the classifications need
 * but were not recorded, until a clinician verifies them or a correction settles them.
 */
export async function dataQualityQueries(ctx: AppContext, actor: UserActor) {
  requireRole(actor, CLINICAL_ROLES);
  const rows = await treatmentsToCheck(ctx.db, scopeOf(actor));
  const records = rows.flatMap((t) => {
    const reviewed = new Set(t.reviewed);
    const queries: OpenQuery[] = checkTreatment(t)
      .filter((f) => f.severity !== 'impossible' && !reviewed.has(findingKey(f)))
      .map((f) => ({
        rule: f.rule,
        field: f.field,
        severity: f.severity as OpenQuery['severity'],
        message: f.message,
      }));
    if (queries.length === 0) return [];
    return [
      {
        treatmentId: t.id,
        patientId: t.patientId,
        registryId: t.registryId,
        joint: t.joint,
        side: t.side,
        treatmentDate: t.treatmentDate,
        productClass: t.productClass,
        queries,
      },
    ];
  });
  return {
    records,
    openQueries: records.reduce((n, r) => n + r.queries.length, 0),
    // The rules themselves, with their sources, so the page can say where a range comes from.
    rules: RANGE_RULES.map((r) => ({
      code: r.code,
      field: `characterisation.${r.field}`,
      impossible: { min: r.impossible.min, max: r.impossible.max },
      implausible: r.implausible ? { min: r.implausible.min, max: r.implausible.max } : null,
      source: r.source,
    })),
  };
}

/**
 * A clinician verifies one open query (the value is right, or it was not measured): the query
 * closes while the value stays the same. Audited.
 */
export async function verifyQuery(ctx: AppContext, actor: UserActor, body: unknown) {
  requireRole(actor, CLINICAL_ROLES);
  const { treatmentId, rule, field } = parseInput(dataQualityReviewSchema, body);
  const scope = scopeOf(actor);
  return ctx.db.transaction(async (tx) => {
    const [t] = await treatmentsToCheck(tx, scope, treatmentId);
    if (!t) throw notFound('Treatment');
    const finding = checkTreatment(t).find(
      (f) => f.rule === rule && f.field === field && f.severity !== 'impossible',
    );
    if (!finding) throw notFound('Open query');
    const key = findingKey(finding);
    await insertReview(tx, scope, {
      patientId: t.patientId,
      treatmentId,
      finding: key,
      userId: actor.user.id,
    });
    await auditUser(tx, actor, 'verify-data-quality', 'treatment', treatmentId, t.patientId, {
      rule,
      field,
    });
    return { treatmentId, rule, field, verified: true };
  });
}
