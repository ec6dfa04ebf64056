import type { ExportInput } from '../core/analytics/export.ts';
import { episodeHistories } from './analytics.repo.ts';
import type { Queryable } from './db.ts';
import type { SiteScope } from './scope.ts';

type ExportPatient = ExportInput['patients'][number];
type ExportTreatment = ExportInput['treatments'][number];
type ExportResponse = ExportInput['responses'][number];

/** Everything an export of one registry needs, read in one snapshot. */
export async function registryExport(q: Queryable, scope: SiteScope): Promise<ExportInput> {
  const [site] = await q.query<{ name: string; pseudonymKey: string }>(
    `select name, pseudonym_key as "pseudonymKey" from sites where id = $1`,
    [scope.siteId],
  );
  if (!site) throw new Error('site not found');
  const patients = await q.query<ExportPatient>(
    `select p.id, p.registry_id as "registryId", i.given_name as "givenName",
            i.family_name as "familyName", i.date_of_birth as "dateOfBirth", p.sex
     from patients p join patient_identities i on i.site_id = p.site_id and i.patient_id = p.id
     where p.site_id = $1 order by p.registry_id`,
    [scope.siteId],
  );
  const treatments = await q.query<ExportTreatment>(
    `select t.id, t.patient_id as "patientId", t.episode_id as "episodeId", e.joint, e.side,
            e.kl_grade as "klGrade", t.treatment_date as "treatmentDate",
            t.product_class as "productClass", t.cell_dose_millions as "cellDoseMillions",
            t.bmi, t.volume_ml as "volumeMl", t.image_guidance as "imageGuidance",
            t.characterisation
     from treatments t join joint_episodes e on e.site_id = t.site_id and e.id = t.episode_id
     where t.site_id = $1 order by t.patient_id, t.treatment_date, t.id`,
    [scope.siteId],
  );
  const responses = await q.query<ExportResponse>(
    `select r.id, r.patient_id as "patientId", r.episode_id as "episodeId",
            r.instrument_id as "instrumentId", r.timepoint, r.submitted_at as "submittedAt",
            r.answers,
            coalesce((select json_object_agg(s.scale, s.value) from response_scores s
                      where s.site_id = r.site_id and s.response_id = r.id), '{}'::json) as scores
     from responses r where r.site_id = $1 order by r.patient_id, r.submitted_at, r.id`,
    [scope.siteId],
  );
  const lastContacts = (await episodeHistories(q, scope.siteId)).map((h) => ({
    episodeId: h.episodeId,
    lastContact: h.lastContact,
  }));
  const laterEvents = await q.query<ExportInput['laterEvents'][number]>(
    `select patient_id as "patientId", episode_id as "episodeId", kind,
            event_date as "eventDate", created_at::date::text as "reportedOn"
     from patient_events where site_id = $1 order by patient_id, event_date, id`,
    [scope.siteId],
  );
  const adverseEvents = await q.query<ExportInput['adverseEvents'][number]>(
    `select id, patient_id as "patientId", episode_id as "episodeId", treatment_id as "treatmentId",
            onset_date as "onsetDate", grade, serious, relatedness, description
     from adverse_events where site_id = $1 order by patient_id, onset_date, id`,
    [scope.siteId],
  );
  return {
    siteName: site.name,
    pseudonymKey: site.pseudonymKey,
    patients,
    treatments,
    responses,
    lastContacts,
    laterEvents,
    adverseEvents,
  };
}
