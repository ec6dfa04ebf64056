import {
  type DoseResponseJoint,
  firstSeriesDose,
  type Injection,
  PLATELET_DOSE,
} from '../core/analytics/dose-response.ts';
import { OARSI_DOMAINS } from '../core/analytics/responders.ts';
import {
  type CohortFilter,
  episodeConditions,
  OUTCOME_SLOTS,
  sqlParams,
} from './analytics.repo.ts';
import type { Queryable } from './db.ts';

/**
 * The cohort's joints for the dose–response analysis: the first treatment's product class, the
 * total dose of its first series of injections by `timepoint` (cells in millions for cellular
 * products, platelets in billions for PRP; `firstSeriesDose`), KL grade, sex, age and BMI at
 * that treatment, and the pain and function scores of the joint's KOOS or HOOS at baseline and
 * at `timepoint` (the first answer of each, as the outcome tables keep).
 */
export async function doseResponseJoints(
  q: Queryable,
  filter: CohortFilter,
  timepoint: string,
): Promise<DoseResponseJoint[]> {
  const slot = OUTCOME_SLOTS.indexOf(timepoint as (typeof OUTCOME_SLOTS)[number]) + 1;
  if (slot < 2) throw new Error(`no outcome slot after baseline named ${timepoint}`);
  const { params, bind } = sqlParams();
  const where = episodeConditions(filter, bind);
  // The column name is a constant of ours (migration 0065), never input.
  const platelets = `t.${PLATELET_DOSE.column}`;
  const domain = (pick: 'pain' | 'function') =>
    OARSI_DOMAINS.map(
      (d) => `(o.instrument_id = ${bind(d.instrumentId)} and o.scale = ${bind(d[pick])})`,
    ).join(' or ');
  const rows = await q.query<{
    productClass: string;
    injections: (Omit<Injection, 'seriesNumber'> & { seriesNumber: number | string | null })[];
    klGrade: number;
    sex: string;
    age: number | null;
    bmi: number | null;
    painBaseline: number | null;
    painFollowUp: number | null;
    functionBaseline: number | null;
    functionFollowUp: number | null;
  }>(
    `select t.product_class as "productClass", i.injections,
            e.kl_grade as "klGrade", p.sex, t.age_at_treatment as age, t.bmi,
            s.pb as "painBaseline", s.pf as "painFollowUp",
            s.fb as "functionBaseline", s.ff as "functionFollowUp"
     from joint_episodes e
     join patients p on p.site_id = e.site_id and p.id = e.patient_id
     join lateral (select * from treatments t where t.site_id = e.site_id and t.episode_id = e.id
                   order by t.treatment_date, t.created_at, t.id limit 1) t on true
     join lateral (
       select json_agg(json_build_object(
                'productClass', t.product_class, 'date', t.treatment_date::text,
                'dose', case when t.product_class = 'PRP' then ${platelets} else t.cell_dose_millions end,
                'seriesNumber', t.characterisation ->> 'seriesNumber')
              order by t.treatment_date, t.created_at, t.id) as injections
       from treatments t where t.site_id = e.site_id and t.episode_id = e.id) i on true
     join lateral (
       select max(o.scores[1]) filter (where ${domain('pain')}) as pb,
              max(o.scores[${slot}]) filter (where ${domain('pain')}) as pf,
              max(o.scores[1]) filter (where ${domain('function')}) as fb,
              max(o.scores[${slot}]) filter (where ${domain('function')}) as ff
       from outcome_joint_scores o where o.site_id = e.site_id and o.episode_id = e.id) s on true
     ${where.length > 0 ? `where ${where.join(' and ')}` : ''}
     order by e.id`,
    params,
  );
  const pair = (baseline: number | null, followUp: number | null) =>
    baseline === null || followUp === null
      ? null
      : { baseline: Number(baseline), followUp: Number(followUp) };
  return rows
    .map((r) => ({
      productClass: r.productClass,
      ...firstSeriesDose(
        r.injections.map((i) => ({
          productClass: i.productClass,
          date: i.date,
          dose: i.dose === null ? null : Number(i.dose),
          seriesNumber: i.seriesNumber === null ? null : Number(i.seriesNumber),
        })),
        timepoint,
      ),
      klGrade: Number(r.klGrade),
      sex: r.sex,
      age: r.age === null ? null : Number(r.age),
      bmi: r.bmi === null ? null : Number(r.bmi),
      pain: pair(r.painBaseline, r.painFollowUp),
      function: pair(r.functionBaseline, r.functionFollowUp),
    }))
    .filter((j) => j.pain !== null || j.function !== null);
}
