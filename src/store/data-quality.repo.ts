import type { Characterisation } from '../core/registry/characterisation.ts';
import type { IsoDate } from '../core/registry/dates.ts';
import type { Queryable } from './db.ts';
import type { SiteScope } from './scope.ts';

export interface CheckedTreatmentRow {
  id: string;
  patientId: string;
  registryId: string;
  joint: string;
  side: string;
  treatmentDate: IsoDate;
  productClass: string;
  cellDoseMillions: number | null;
  volumeMl: number;
  characterisation: Characterisation;
  /** Findings a clinician has verified (rule|field|value), see data_quality_reviews. */
  reviewed: string[];
}

/** Every treatment at the site with what the data-quality rules read, newest first. */
export function treatmentsToCheck(
  q: Queryable,
  scope: SiteScope,
  treatmentId?: string,
): Promise<CheckedTreatmentRow[]> {
  return q.query<CheckedTreatmentRow>(
    `select t.id, t.patient_id as "patientId", p.registry_id as "registryId", e.joint, e.side,
            t.treatment_date as "treatmentDate", t.product_class as "productClass",
            t.cell_dose_millions as "cellDoseMillions", t.volume_ml as "volumeMl",
            t.characterisation,
            coalesce((select array_agg(r.finding) from data_quality_reviews r
                      where r.site_id = t.site_id and r.treatment_id = t.id), '{}') as reviewed
     from treatments t
     join patients p on p.id = t.patient_id and p.site_id = t.site_id
     join joint_episodes e on e.id = t.episode_id and e.site_id = t.site_id
     where t.site_id = $1 and ($2::uuid is null or t.id = $2::uuid)
     order by t.treatment_date desc, t.created_at desc`,
    [scope.siteId, treatmentId ?? null],
  );
}

/** Records a clinician's verification of one finding; false if it was already verified. */
export async function insertReview(
  q: Queryable,
  scope: SiteScope,
  r: { patientId: string; treatmentId: string; finding: string; userId: string },
): Promise<boolean> {
  const rows = await q.query(
    `insert into data_quality_reviews (site_id, patient_id, treatment_id, finding, reviewed_by)
     values ($1, $2, $3, $4, $5) on conflict (treatment_id, finding) do nothing returning 1`,
    [scope.siteId, r.patientId, r.treatmentId, r.finding, r.userId],
  );
  return rows.length === 1;
}
