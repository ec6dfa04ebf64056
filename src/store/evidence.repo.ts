import type { TrialArm } from '../core/evidence/trials.ts';
import type { Queryable } from './db.ts';
import type { SiteScope } from './scope.ts';

const COLUMNS = `study, doi_or_nct as "doiOrNct", arm, arm_role as "armRole", product, cell_dose as "cellDose",
  n_randomized as "nRandomized", n_analyzed as "nAnalyzed", outcome, scale_direction as "scaleDirection",
  timepoint_months as "timepointMonths", stat, value, spread_low_or_sd as "spreadLowOrSd",
  spread_high as "spreadHigh", source_url as "sourceUrl", source_location as "sourceLocation", verified`;

export function listImportedArms(q: Queryable): Promise<TrialArm[]> {
  return q.query<TrialArm>(`select ${COLUMNS} from evidence_trial_arms order by study, id`);
}

/** Inserts arms, replacing an earlier import of the same study arm, outcome and time point. */
export async function upsertArms(
  q: Queryable,
  arms: readonly TrialArm[],
  importedFrom: string,
): Promise<number> {
  for (const a of arms) {
    await q.query(
      `insert into evidence_trial_arms (study, doi_or_nct, arm, arm_role, product, cell_dose, n_randomized,
         n_analyzed, outcome, scale_direction, timepoint_months, stat, value, spread_low_or_sd, spread_high,
         source_url, source_location, verified, imported_from)
       values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19)
       on conflict (study, arm, outcome, timepoint_months, stat) do update set
         doi_or_nct = excluded.doi_or_nct, arm_role = excluded.arm_role, product = excluded.product,
         cell_dose = excluded.cell_dose, n_randomized = excluded.n_randomized, n_analyzed = excluded.n_analyzed,
         scale_direction = excluded.scale_direction, value = excluded.value,
         spread_low_or_sd = excluded.spread_low_or_sd, spread_high = excluded.spread_high,
         source_url = excluded.source_url, source_location = excluded.source_location,
         verified = excluded.verified, imported_from = excluded.imported_from, imported_at = now()`,
      [
        a.study,
        a.doiOrNct,
        a.arm,
        a.armRole,
        a.product,
        a.cellDose,
        a.nRandomized,
        a.nAnalyzed,
        a.outcome,
        a.scaleDirection,
        a.timepointMonths,
        a.stat,
        a.value,
        a.spreadLowOrSd,
        a.spreadHigh,
        a.sourceUrl,
        a.sourceLocation,
        a.verified,
        importedFrom,
      ],
    );
  }
  return arms.length;
}

/**
 * Per treated joint at this site: follow-up minus baseline NRS pain at one time point, for
 * episodes with at least one treatment of the given product classes.
 */
export async function painChanges(
  q: Queryable,
  scope: SiteScope,
  timepoint: string,
  productClasses: readonly string[],
): Promise<number[]> {
  const rows = await q.query<{ change: number }>(
    `select f.value - b.value as change
     from responses rb
     join response_scores b on b.site_id = rb.site_id and b.response_id = rb.id and b.scale = 'pain'
     join responses rf on rf.site_id = rb.site_id and rf.episode_id = rb.episode_id
       and rf.instrument_id = 'nrs-pain' and rf.timepoint = $2
     join response_scores f on f.site_id = rf.site_id and f.response_id = rf.id and f.scale = 'pain'
     where rb.site_id = $1 and rb.instrument_id = 'nrs-pain' and rb.timepoint = 'baseline'
       and b.value is not null and f.value is not null
       and exists (select 1 from treatments t where t.site_id = rb.site_id and t.episode_id = rb.episode_id
                   and t.product_class = any($3::text[]))`,
    [scope.siteId, timepoint, [...productClasses]],
  );
  return rows.map((r) => Number(r.change));
}
