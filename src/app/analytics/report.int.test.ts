import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { durabilityCurve } from '../../core/analytics/durability.ts';
import { ageOn } from '../../core/registry/dates.ts';
import { JOINTS, PRODUCT_CLASS_CODES, SEXES } from '../../core/registry/vocabulary.ts';
import { episodeHistories } from '../../store/analytics.repo.ts';
import type { Db } from '../../store/db.ts';
import { findUserById } from '../../store/users.repo.ts';
import { backends } from '../../testing/databases.ts';
import type { AppContext, UserActor } from '../context.ts';
import { seedDemoRegistry } from '../demo.ts';
import { siteSafety } from '../registry/adverse-events.ts';
import {
  cohortOf,
  durabilityReport,
  siteCompleteness,
  siteDurability,
  siteOutcomeReport,
} from './report.ts';
import { ViewCache } from './view-cache.ts';

const NOW = new Date('2026-11-01T12:00:00Z');

describe.each(backends())('every section of a report describes one cohort on $name', (backend) => {
  let db: Db;
  let ctx: AppContext;
  let researcher: UserActor;
  let siteId: string;
  beforeAll(async () => {
    db = await backend.open();
    await seedDemoRegistry(db, { seed: 11, patients: 120, now: NOW });
    const [row] = await db.query<{ id: string }>('select id from users where email = $1', [
      'researcher@harbour.example',
    ]);
    const user = row && (await findUserById(db, row.id));
    if (!user) throw new Error('demo researcher missing');
    researcher = { kind: 'user', user };
    siteId = user.siteId;
    ctx = { db, now: () => NOW, views: new ViewCache(() => NOW.getTime()) } as AppContext;
  });
  afterAll(async () => {
    await db.close();
  });

  /** The joints each section counts for one query string. */
  const sizes = async (query: Record<string, string>) => {
    const [durability, completeness, safety, outcomes] = await Promise.all([
      siteDurability(ctx, researcher, query),
      siteCompleteness(ctx, researcher, query),
      siteSafety(ctx, researcher, query),
      siteOutcomeReport(ctx, researcher, query),
    ]);
    return {
      durability: durability.cohort.joints,
      completeness: completeness.cohort.joints,
      treatments: safety.cohort.treatments,
      scored: outcomes.joints,
      curveJoints: durability.arthroplastyFree.joints,
    };
  };

  it('splits into parts that add up to the whole for joint, sex and KL grade', async () => {
    const whole = await sizes({});
    expect(whole.durability).toBeGreaterThan(50);
    for (const [key, values] of [
      ['joint', JOINTS],
      ['sex', SEXES],
      ['kl', ['0', '1', '2', '3', '4']],
    ] as const) {
      const parts = await Promise.all(values.map((v) => sizes({ [key]: v })));
      const sum = (pick: (s: typeof whole) => number) => parts.reduce((t, p) => t + pick(p), 0);
      expect(
        sum((p) => p.durability),
        key,
      ).toBe(whole.durability);
      expect(
        sum((p) => p.completeness),
        key,
      ).toBe(whole.completeness);
      expect(
        sum((p) => p.treatments),
        key,
      ).toBe(whole.treatments);
      expect(
        sum((p) => p.scored),
        key,
      ).toBe(whole.scored);
    }
  });

  it('gives every section the same joints under each filter, never more than the whole', async () => {
    const whole = await sizes({});
    const filters: Record<string, string>[] = [
      { joint: 'knee' },
      { joint: 'hip' },
      { product: PRODUCT_CLASS_CODES[0] as string },
      { cellSource: 'bone-marrow' },
      { dose: 'lt10' },
      { bmi: 'obese' },
      { ageFrom: '40', ageTo: '59' },
      { treatedFrom: '2024-01-01', treatedTo: '2025-06-30' },
      { joint: 'knee', kl: '3', sex: 'female' },
    ];
    for (const query of filters) {
      const s = await sizes(query);
      const label = JSON.stringify(query);
      expect(s.durability, label).toBeLessThanOrEqual(whole.durability);
      expect(s.completeness, label).toBe(s.durability);
      expect(s.scored, label).toBeLessThanOrEqual(s.durability);
      expect(s.treatments, label).toBeLessThanOrEqual(whole.treatments);
      expect(s.curveJoints, label).toBeLessThanOrEqual(s.durability);
    }
    const knee = await sizes({ joint: 'knee' });
    expect(knee.durability).toBeLessThan(whole.durability);
  });

  it('filters on the exact age on the treatment date', async () => {
    const rows = await db.query<{ episodeId: string; dob: string; treated: string }>(
      `select t.episode_id as "episodeId", i.date_of_birth::text as dob,
              t.treatment_date::text as treated
       from treatments t join patient_identities i on i.patient_id = t.patient_id
       where t.site_id = $1`,
      [siteId],
    );
    for (const [from, to] of [
      [30, 49],
      [50, 64],
      [65, 120],
    ] as const) {
      const expected = new Set(
        rows
          .filter((r) => {
            const age = ageOn(r.dob, r.treated);
            return age >= from && age <= to;
          })
          .map((r) => r.episodeId),
      ).size;
      const s = await sizes({ ageFrom: String(from), ageTo: String(to) });
      expect(s.durability, `${from}–${to}`).toBe(expected);
    }
    // Birth year alone would put some joints a year off: the demo has birthdays all year round.
    const yearOff = rows.filter(
      (r) => Number(r.treated.slice(0, 4)) - Number(r.dob.slice(0, 4)) !== ageOn(r.dob, r.treated),
    );
    expect(yearOff.length).toBeGreaterThan(0);
  });

  it("counts the Kaplan–Meier curves in the database as the curves over every joint's history", async () => {
    // A later event and a corrected treatment first, so the kept dates are exercised.
    const [joint] = await db.query<{ id: string; patientId: string }>(
      `select e.id, e.patient_id as "patientId" from joint_episodes e
       where e.site_id = $1 and exists (select 1 from responses r where r.episode_id = e.id)
       order by e.id limit 1`,
      [siteId],
    );
    if (!joint) throw new Error('no joint');
    await db.query(
      `insert into patient_events (site_id, patient_id, episode_id, kind, event_date, reported_via)
       values ($1, $2, $3, 'arthroplasty', '2026-10-01', 'clinician')`,
      [siteId, joint.patientId, joint.id],
    );
    await db.query(
      `delete from responses where id = (select id from responses where episode_id = $1
                                          order by submitted_at desc limit 1)`,
      [joint.id],
    );
    for (const query of [{}, { joint: 'knee' }, { product: 'BMAC' }, { sex: 'female', kl: '3' }]) {
      const cohort = cohortOf(query);
      const histories = await episodeHistories(db, siteId, cohort);
      const counted = await durabilityReport(db, siteId, cohort);
      expect(counted.cohort.joints, JSON.stringify(query)).toBe(histories.length);
      for (const [key, kind] of [
        ['arthroplastyFree', 'arthroplasty'],
        ['reinjectionFree', 'reinjection'],
        ['returnToActivities', 'returned-to-activities'],
        ['returnToWork', 'returned-to-work'],
      ] as const)
        expect(counted[key], `${JSON.stringify(query)} ${kind}`).toEqual(
          durabilityCurve(histories, kind),
        );
    }
  });

  it('refuses a bad filter with a clear message on every section', async () => {
    for (const section of [siteDurability, siteCompleteness, siteSafety]) {
      await expect(section(ctx, researcher, { joint: 'elbow' })).rejects.toMatchObject({
        code: 'invalid',
      });
    }
  });
});
