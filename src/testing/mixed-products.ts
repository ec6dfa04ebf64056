import type { Db } from '../store/db.ts';

/**
 * Gives every other joint of a seeded registry two treatments of another product (PRP, or BMAC
 * where it had PRP): one 15 years before its first (another age, outside every range the tests
 * ask for), with a BMI 8 lower and 4 times the cell dose (mostly another BMI class and dose
 * band), and one 30 days after it (another half-month). The demo treats each patient with one
 * product, BMI and dose, so without these no test would tell "a treatment of P (or of that
 * dose or BMI) in the range" from "a treatment of P, and a treatment in the range".
 */
export async function addTreatmentsOfAnotherProduct(db: Db): Promise<number> {
  const [row] = await db.query<{ added: number }>(
    `with firsts as (
       select distinct on (t.episode_id) t.*
       from treatments t order by t.episode_id, t.treatment_date, t.id
     ), chosen as (
       select f.*, row_number() over (order by f.episode_id) as n from firsts f
     ), added as (
       insert into treatments (site_id, patient_id, episode_id, treatment_date, product_class,
                               cell_dose_millions, volume_ml, image_guidance, bmi)
       select c.site_id, c.patient_id, c.episode_id, d.treatment_date,
              case when c.product_class = 'PRP' then 'BMAC' else 'PRP' end,
              c.cell_dose_millions * d.dose_times, c.volume_ml, c.image_guidance,
              -- Kept within the column's check (10 to 80); an unknown BMI stays unknown.
              case when c.bmi is not null then greatest(c.bmi + d.bmi_more, 10) end
       from chosen c
       cross join lateral (values ((c.treatment_date - interval '15 years')::date, 4, -8),
                                  (c.treatment_date + 30, 1, 0)) as d(treatment_date, dose_times, bmi_more)
       where c.n % 2 = 0
       returning 1
     )
     select count(*)::int as added from added`,
  );
  return row?.added ?? 0;
}
