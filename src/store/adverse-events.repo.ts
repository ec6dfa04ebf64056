import type { IsoDate } from '../core/registry/dates.ts';
import type { AdverseEventInput } from '../core/registry/schemas.ts';
import type { Queryable } from './db.ts';
import type { SiteScope } from './scope.ts';

export interface AdverseEvent {
  id: string;
  episodeId: string;
  treatmentId: string;
  onsetDate: IsoDate;
  description: string;
  grade: number;
  serious: boolean;
  relatedness: string;
  createdAt: Date;
}

const COLUMNS = `id, episode_id as "episodeId", treatment_id as "treatmentId",
  onset_date as "onsetDate", description, grade, serious, relatedness, created_at as "createdAt"`;

export async function insertAdverseEvent(
  q: Queryable,
  scope: SiteScope,
  target: { patientId: string; episodeId: string; recordedBy: string },
  input: AdverseEventInput,
): Promise<AdverseEvent> {
  const [row] = await q.query<AdverseEvent>(
    `insert into adverse_events (site_id, patient_id, episode_id, treatment_id, onset_date,
                                 description, grade, serious, relatedness, recorded_by)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning ${COLUMNS}`,
    [
      scope.siteId,
      target.patientId,
      target.episodeId,
      input.treatmentId,
      input.onsetDate,
      input.description,
      input.grade,
      input.serious,
      input.relatedness,
      target.recordedBy,
    ],
  );
  if (!row) throw new Error('insert into adverse_events returned no row');
  return row;
}

export function listAdverseEvents(
  q: Queryable,
  scope: SiteScope,
  patientId: string,
): Promise<AdverseEvent[]> {
  return q.query<AdverseEvent>(
    `select ${COLUMNS} from adverse_events where site_id = $1 and patient_id = $2
     order by onset_date, created_at`,
    [scope.siteId, patientId],
  );
}

/** One treatment with the adverse events that followed it, for safety rates per product. */
export interface TreatmentSafetyRow {
  treatmentId: string;
  productClass: string;
  treatmentDate: IsoDate;
  events: {
    onsetDate: IsoDate;
    grade: number;
    serious: boolean;
    relatedness: string;
    description: string;
  }[];
}

/** Every treatment of the site (or of the network when no site is given) with its events. */
export function treatmentSafety(q: Queryable, siteId?: string): Promise<TreatmentSafetyRow[]> {
  return q.query<TreatmentSafetyRow>(
    `select t.id as "treatmentId", t.product_class as "productClass",
            t.treatment_date as "treatmentDate",
            coalesce((select json_agg(json_build_object(
                        'onsetDate', a.onset_date::text, 'grade', a.grade, 'serious', a.serious,
                        'relatedness', a.relatedness, 'description', a.description)
                        order by a.onset_date)
                      from adverse_events a where a.treatment_id = t.id), '[]'::json) as events
     from treatments t
     ${siteId ? 'where t.site_id = $1' : ''}
     order by t.treatment_date, t.id`,
    siteId ? [siteId] : [],
  );
}
