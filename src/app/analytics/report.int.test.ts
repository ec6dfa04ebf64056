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
    // The joint's whole last visit, so the clinic's answers stay complete visits (one response
    // picked among a visit's could be its patient global, which the responder test counts on).
    await db.query(
      `delete from responses where episode_id = $1
         and submitted_at = (select max(submitted_at) from responses where episode_id = $1)`,
      [joint.id],
    );
    // An event moved before treatment, one removed, a treatment moved past a joint's events.
    await db.query(
      `update patient_events set event_date = event_date - 2000
       where id = (select id from patient_events where site_id = $1 order by id limit 1)`,
      [siteId],
    );
    await db.query(
      `delete from patient_events
       where id = (select id from patient_events where site_id = $1 order by id offset 5 limit 1)`,
      [siteId],
    );
    await db.query(
      `update treatments set treatment_date = treatment_date + 90
       where episode_id = (select episode_id from patient_events where site_id = $1
                           order by id offset 9 limit 1)`,
      [siteId],
    );
    for (const query of [
      {},
      { joint: 'knee' },
      { product: 'BMAC' },
      { sex: 'female', kl: '3' },
      // Ranges: each joint's kept row, selected by a treatment matching every treatment filter.
      { ageFrom: '60', ageTo: '69' },
      { treatedFrom: '2024-01-01', treatedTo: '2025-06-30', joint: 'knee' },
      { product: 'PRP', ageFrom: '50', sex: 'male' },
    ]) {
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

  it("counts each joint's first work-status answer per time point, as the answers say", async () => {
    // A second, later answer at the same time point (from another link of the same joint)
    // must not count: the first one does.
    const [first] = await db.query<{ id: string }>(
      `select id from responses
       where site_id = $1 and instrument_id = 'satisfaction-work' and timepoint = 'm12'
       order by id limit 1`,
      [siteId],
    );
    if (!first) throw new Error('the demo has no work-status answers at 12 months');
    const added = await db.query(
      `insert into responses (site_id, patient_id, episode_id, assignment_id, instrument_id,
                              timepoint, answers, submitted_at, in_window)
       select r.site_id, r.patient_id, r.episode_id, a.id, r.instrument_id, r.timepoint,
              '{"SAT": 3, "WORK": 4}'::jsonb, r.submitted_at + interval '1 day', r.in_window
       from responses r
       join lateral (select a.id from survey_assignments a
                     where a.episode_id = r.episode_id and not exists (
                       select 1 from responses x
                       where x.assignment_id = a.id and x.instrument_id = r.instrument_id)
                     limit 1) a on true
       where r.id = $1
       returning id`,
      [first.id],
    );
    expect(added).toHaveLength(1);
    const answers = await db.query<{
      episodeId: string;
      timepoint: string;
      work: number | null;
      at: string;
      id: string;
      joint: string;
    }>(
      `select r.episode_id as "episodeId", r.timepoint, (r.answers ->> 'WORK')::int as work,
              r.submitted_at::text as at, r.id::text as id, e.joint
       from responses r join joint_episodes e on e.id = r.episode_id
       where r.site_id = $1 and r.instrument_id = 'satisfaction-work'`,
      [siteId],
    );
    const expected = (joint?: string) => {
      const first = new Map<string, (typeof answers)[number]>();
      for (const a of answers) {
        if (a.work === null || (joint && a.joint !== joint)) continue;
        const key = `${a.episodeId}|${a.timepoint}`;
        const seen = first.get(key);
        if (!seen || a.at < seen.at || (a.at === seen.at && a.id < seen.id)) first.set(key, a);
      }
      const counts: Record<string, Record<number, number>> = {};
      for (const a of first.values()) {
        const at = counts[a.timepoint] ?? {};
        at[a.work as number] = (at[a.work as number] ?? 0) + 1;
        counts[a.timepoint] = at;
      }
      return counts;
    };
    for (const joint of [undefined, 'knee']) {
      // The view cache keys on the registry version: the rows added above are new data.
      const report = await siteOutcomeReport(ctx, researcher, joint ? { joint } : {});
      const got: Record<string, Record<number, number>> = {};
      for (const t of report.workStatus)
        for (const a of t.answers)
          if (a.answer !== null && a.share.count > 0)
            got[t.timepoint] = { ...got[t.timepoint], [a.answer]: a.share.count };
      expect(got, joint ?? 'all joints').toEqual(expected(joint));
      for (const t of report.workStatus)
        expect(t.answers.reduce((s, a) => s + a.share.count, 0)).toBe(t.n);
    }
    const m12 = (await siteOutcomeReport(ctx, researcher, {})).workStatus.find(
      (t) => t.timepoint === 'm12',
    );
    expect(m12?.n).toBeGreaterThan(5);
    expect(m12?.answers.map((a) => a.label)).toContain('Retired');
  });

  it('computes the demo clinic’s OMERACT-OARSI responders with the patient global: exact', async () => {
    // Harbour (where the demo's staff sign in) asks the patient global on its surveys.
    const report = await siteOutcomeReport(ctx, researcher, {});
    const byTimepoint = report.responders.byTimepoint;
    expect(byTimepoint.length).toBeGreaterThan(3);
    for (const r of byTimepoint) {
      expect(r.exact, r.timepoint).toBe(true);
      expect(r.withGlobal, r.timepoint).toBe(r.joints);
      expect(r.upperBound.count).toBe(r.responders.count);
    }
    const [asked] = await db.query<{ n: number }>(
      `select count(*)::int as n from survey_assignments
       where site_id = $1 and instruments ? 'patient-global'`,
      [siteId],
    );
    expect(asked?.n).toBeGreaterThan(0);
    // Northside does not ask it: its shares stay lower bounds, the contrast the demo shows.
    const [northside] = await db.query<{ id: string }>(
      `select id from users where email = 'clinician@northside.example'`,
    );
    const other = northside && (await findUserById(db, northside.id));
    if (!other) throw new Error('demo Northside clinician missing');
    const theirs = await siteOutcomeReport(ctx, { kind: 'user', user: other }, {});
    expect(theirs.responders.byTimepoint.every((r) => r.withGlobal === 0)).toBe(true);
    expect(theirs.responders.byTimepoint.some((r) => !r.exact)).toBe(true);
  });

  it('refuses a bad filter with a clear message on every section', async () => {
    for (const section of [siteDurability, siteCompleteness, siteSafety]) {
      await expect(section(ctx, researcher, { joint: 'elbow' })).rejects.toMatchObject({
        code: 'invalid',
      });
    }
  });
});
