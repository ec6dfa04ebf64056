import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../core/errors.ts';
import type { Db } from '../../store/db.ts';
import { doseResponseJoints } from '../../store/dose-response.repo.ts';
import { findUserById } from '../../store/users.repo.ts';
import { backends } from '../../testing/databases.ts';
import type { AppContext, UserActor } from '../context.ts';
import { seedDemoRegistry } from '../demo.ts';
import { siteDoseResponse } from './dose-response.ts';
import { ViewCache } from './view-cache.ts';

const NOW = new Date('2026-11-01T12:00:00Z');

describe.each(backends())('dose–response from the registry on $name', (backend) => {
  let db: Db;
  let ctx: AppContext;
  let clinician: UserActor;
  let siteId: string;
  beforeAll(async () => {
    db = await backend.open();
    await seedDemoRegistry(db, { seed: 11, patients: 200, now: NOW });
    const [row] = await db.query<{ id: string }>('select id from users where email = $1', [
      'clinician@harbour.example',
    ]);
    const user = row && (await findUserById(db, row.id));
    if (!user) throw new Error('demo clinician missing');
    clinician = { kind: 'user', user };
    siteId = user.siteId;
    ctx = { db, now: () => NOW, views: new ViewCache(() => NOW.getTime()) } as AppContext;
  });
  afterAll(async () => {
    await db.close();
  });

  it("reads each joint's first treatment, dose and KOOS/HOOS pain and function as the registry rows say", async () => {
    const joints = await doseResponseJoints(db, { siteId }, 'm6');
    expect(joints.length).toBeGreaterThan(20);
    const [reference] = await db.query<{ n: number; dosed: number; prpDosed: number }>(
      `select count(*)::int as n,
              count(*) filter (where case when t.product_class = 'PRP' then t.platelet_dose_billions
                                          else t.cell_dose_millions end is not null)::int as dosed,
              count(*) filter (where t.product_class = 'PRP'
                                 and t.platelet_dose_billions is not null)::int as "prpDosed"
       from joint_episodes e
       join lateral (select * from treatments t where t.episode_id = e.id
                     order by treatment_date, created_at, id limit 1) t on true
       where e.site_id = $1 and exists (
         select 1 from outcome_joint_scores o where o.episode_id = e.id
           and o.instrument_id in ('koos', 'hoos') and o.scale in ('pain', 'adl')
           and o.scores[1] is not null and o.scores[4] is not null)`,
      [siteId],
    );
    expect(joints.length).toBe(reference?.n);
    expect(joints.filter((j) => j.dose !== null).length).toBe(reference?.dosed);
    // PRP's dose is its platelet dose (migration 0065), which the demo records.
    expect(reference?.prpDosed).toBeGreaterThan(0);
    for (const j of joints) expect(j.pain ?? j.function).not.toBeNull();
    // Bone-marrow concentrate and culture-expanded cells carry cells injected in the demo; MFAT
    // has no cited cell count, so none.
    for (const productClass of ['BMAC', 'AD-MSC']) {
      const of = joints.filter((j) => j.productClass === productClass);
      expect(of.length, productClass).toBeGreaterThan(0);
      expect(
        of.every((j) => j.dose !== null && j.dose > 0),
        productClass,
      ).toBe(true);
    }
    expect(joints.filter((j) => j.productClass === 'MFAT').every((j) => j.dose === null)).toBe(
      true,
    );
  });

  it('draws a cell-dose curve for bone-marrow concentrate in the demo', async () => {
    const report = await siteDoseResponse(ctx, clinician, { timepoint: 'm6' });
    const bmac = report.curves.filter((c) => c.productClass === 'BMAC');
    expect(bmac.map((c) => c.status)).toEqual(['fitted', 'fitted']);
    expect(bmac[0]?.unit).toBe('million cells');
  });

  it('answers the site’s report with curves or the reason for none, and refuses an unknown time point', async () => {
    const report = await siteDoseResponse(ctx, clinician, { timepoint: 'm6', joint: 'knee' });
    expect(report.note).toMatch(/not effects/);
    expect(report.curves.length).toBeGreaterThan(0);
    for (const c of report.curves)
      if (c.status !== 'fitted') expect(c.message.length).toBeGreaterThan(10);
    await expect(siteDoseResponse(ctx, clinician, { timepoint: 'm7' })).rejects.toBeInstanceOf(
      DomainError,
    );
  });

  it("takes a PRP joint's dose from its platelet doses: its first series' total", async () => {
    await db.query(
      `update treatments set platelet_dose_billions = 2.5 where site_id = $1 and product_class = 'PRP'`,
      [siteId],
    );
    const joints = await doseResponseJoints(db, { siteId }, 'm6');
    const prp = joints.filter((j) => j.productClass === 'PRP');
    expect(prp.length).toBeGreaterThan(0);
    for (const j of prp) expect(j.dose).toBe(2.5 * j.injections);
    // The demo gives PRP as a series of one, three or five weekly injections.
    expect(new Set(prp.map((j) => j.injections))).toContain(3);
  });

  it("adds the injections of a joint's first series given by the time point", async () => {
    const [first] = await db.query<{ id: string; episodeId: string; date: string }>(
      `select t.id, t.episode_id as "episodeId", t.treatment_date::text as date
       from treatments t
       where t.site_id = $1 and t.product_class = 'PRP' and t.treatment_date < '2025-06-01'
         and not exists (select 1 from treatments other where other.site_id = t.site_id
                           and other.episode_id = t.episode_id and other.id <> t.id)
         and exists (select 1 from outcome_joint_scores o where o.episode_id = t.episode_id
                       and o.instrument_id = 'koos' and o.scores[1] is not null
                       and o.scores[5] is not null)
       order by t.id limit 1`,
      [siteId],
    );
    if (!first) throw new Error('no PRP knee scored at 12 months');
    // Injections 2 and 3 of the series two and four weeks later, and a 4th after 6 months.
    for (const [days, number, platelets] of [
      [14, 2, 3],
      [28, 3, 4],
      [200, 4, 5],
    ] as const)
      await db.query(
        `insert into treatments (site_id, patient_id, episode_id, treatment_date, product_class,
                                 volume_ml, image_guidance, characterisation, platelet_dose_billions)
         select site_id, patient_id, episode_id, treatment_date + $2::int, product_class,
                volume_ml, image_guidance, characterisation || jsonb_build_object('seriesNumber', $3::int),
                $4
         from treatments where id = $1`,
        [first.id, days, number, platelets],
      );
    // Every other PRP injection has 2.5 × 10⁹ platelets (the test before): only this joint's
    // series adds up to these totals.
    const at = async (timepoint: string) =>
      (await doseResponseJoints(db, { siteId }, timepoint))
        .filter((j) => j.productClass === 'PRP' && j.dose !== 2.5 * j.injections)
        .map((j) => [j.injections, j.dose]);
    expect(await at('m6')).toEqual([[3, 2.5 + 3 + 4]]);
    expect(await at('m12')).toEqual([[4, 2.5 + 3 + 4 + 5]]);
    const report = await siteDoseResponse(ctx, clinician, { timepoint: 'm6' });
    const joints = await doseResponseJoints(db, { siteId }, 'm6');
    expect(report.dosing.seriesJoints).toBe(joints.filter((j) => j.injections > 1).length);
    expect(report.dosing.seriesJoints).toBeGreaterThan(1);
    expect(report.dosing.rule).toMatch(/total of its first series/);
  });
});
