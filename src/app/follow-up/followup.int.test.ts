import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, toIsoDate } from '../../core/registry/dates.ts';
import { followUpFlow, worklist } from '../../core/schedule/worklist.ts';
import {
  catchUpFollowUpCounts,
  timeToEventCounts,
  timeToEventCountsFromRows,
} from '../../store/analytics.repo.ts';
import { erasePatient } from '../../store/corrections.repo.ts';
import type { Db } from '../../store/db.ts';
import { episodesForFollowUp } from '../../store/followup.repo.ts';
import { findUserById } from '../../store/users.repo.ts';
import { backends, twoSiteDatabase } from '../../testing/databases.ts';
import { Client, enrolTreatedPatient, testApp, testClock, tokenOf } from '../../testing/http.ts';
import { ViewCache } from '../analytics/view-cache.ts';
import type { AppContext } from '../context.ts';
import { seedDemoRegistry } from '../demo.ts';
import {
  episodesWithOpenWindows,
  followUpFlowOf,
  followUpOverview,
  worklistPage,
} from './followup.ts';
import { scheduleFor } from './schedule.ts';

describe.each(backends())('follow-up worklist on $name', (backend) => {
  const clinic = twoSiteDatabase(backend);

  it('lists due, overdue and missed time points as days pass, and counts the flow', async () => {
    const clock = testClock('2026-03-02T09:00:00Z'); // the injection day
    const harness = testApp(clinic.db, clock);
    const clinician = new Client(harness.app);
    await clinician.signIn('clin@harbour.test');
    const { episodeId } = await enrolTreatedPatient(clinician);

    const first = await clinician.call('GET', '/api/follow-up');
    expect(first.status).toBe(200);
    expect(
      first.body.worklist.map((r: { timepoint: string; status: string }) => [
        r.timepoint,
        r.status,
      ]),
    ).toEqual([['baseline', 'due']]);
    expect(first.body.worklistTotal).toBe(1);
    const issued = await clinician.call('POST', `/api/episodes/${episodeId}/surveys`, {
      timepoint: 'baseline',
    });
    await new Client(harness.app).call('POST', `/api/survey/${tokenOf(issued.body.url)}/submit`, {
      answers: { 'nrs-pain': { NRS: 6 } },
    });

    clock.advanceDays(49); // 2026-04-20: 6-week target was 04-13, window closes 04-27
    await clinician.signIn('clin@harbour.test'); // sessions do not last seven weeks
    const later = await clinician.call('GET', '/api/follow-up');
    expect(
      later.body.worklist.map((r: { timepoint: string; status: string }) => [
        r.timepoint,
        r.status,
      ]),
    ).toEqual([['w6', 'overdue']]);
    clock.advanceDays(11); // 2026-05-01
    await clinician.signIn('clin@harbour.test');
    const missed = await clinician.call('GET', '/api/follow-up?status=missed');
    expect(missed.body.worklist.map((r: { timepoint: string }) => r.timepoint)).toEqual(['w6']);
    const flow = missed.body.flow;
    expect(flow.enrolled).toBe(1);
    expect(flow.steps.slice(0, 3)).toEqual([
      {
        timepoint: 'baseline',
        label: 'Baseline',
        reached: 1,
        invited: 1,
        completed: 1,
        lost: 0,
        completeness: 1,
      },
      {
        timepoint: 'w6',
        label: '6 weeks',
        reached: 1,
        invited: 0,
        completed: 0,
        lost: 1,
        completeness: 0,
      },
      {
        timepoint: 'm3',
        label: '3 months',
        reached: 0,
        invited: 0,
        completed: 0,
        lost: 0,
        completeness: null,
      },
    ]);

    const other = new Client(harness.app);
    await other.signIn('clin@north.test');
    expect((await other.call('GET', '/api/follow-up?status=missed')).body.worklist).toEqual([]);
    const bad = await clinician.call('GET', '/api/follow-up?status=lost');
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0].field).toBe('status');
  });

  it('shows a patient who died or was lost to follow-up as ended, never due', async () => {
    const clock = testClock('2026-03-02T09:00:00Z');
    const harness = testApp(clinic.db, clock);
    const clinician = new Client(harness.app);
    await clinician.signIn('clin@harbour.test');
    const followed = await enrolTreatedPatient(clinician);
    const died = await enrolTreatedPatient(clinician);
    const lost = await enrolTreatedPatient(clinician);
    clock.advanceDays(42); // 2026-04-13: the 6-week target; its window is open
    await clinician.signIn('clin@harbour.test');
    const before = await clinician.call('GET', '/api/follow-up');
    const mine = new Set([followed.patientId, died.patientId, lost.patientId]);
    const dueFor = (rows: { patientId: string; timepoint: string; status: string }[]) =>
      rows
        .filter((r) => r.timepoint === 'w6' && mine.has(r.patientId))
        .map((r) => [r.patientId, r.status]);
    expect(dueFor(before.body.worklist)).toHaveLength(3);

    const death = await clinician.call('POST', `/api/patients/${died.patientId}/events`, {
      kind: 'death',
      date: '2026-04-10',
    });
    expect(death.status).toBe(201);
    const status = await clinician.call('POST', `/api/patients/${lost.patientId}/status`, {
      status: 'lost-to-follow-up',
      date: '2026-04-12',
      reason: 'Moved abroad, no address',
    });
    expect(status.status).toBe(200);

    const after = await clinician.call('GET', '/api/follow-up');
    expect(dueFor(after.body.worklist)).toEqual([[followed.patientId, 'due']]);
    const ended = await clinician.call('GET', '/api/follow-up?status=ended');
    expect(
      ended.body.worklist
        .filter(
          (r: { timepoint: string; patientId: string }) =>
            r.timepoint === 'w6' && mine.has(r.patientId),
        )
        .map((r: { patientId: string; endedBecause: string }) => [r.patientId, r.endedBecause])
        .sort(),
    ).toEqual(
      [
        [died.patientId, 'deceased'],
        [lost.patientId, 'lost-to-follow-up'],
      ].sort(),
    );
    // Baseline's window closed before either date: it stays missed, as it was.
    const missed = await clinician.call('GET', '/api/follow-up?status=missed');
    expect(
      missed.body.worklist
        .filter((r: { patientId: string }) => r.patientId === died.patientId)
        .map((r: { timepoint: string }) => r.timepoint),
    ).toEqual(['baseline']);
  });
});

describe.each(backends())('follow-up counted from the masks kept per joint on $name', (backend) => {
  const NOW = new Date('2026-11-01T12:00:00Z');
  let db: Db;
  let siteId: string;
  beforeAll(async () => {
    db = await backend.open();
    await seedDemoRegistry(db, { seed: 11, patients: 120, now: NOW });
    const [site] = await db.query<{ id: string }>(
      `select id from sites where name like 'Harbour%'`,
    );
    siteId = site?.id ?? '';
  });
  afterAll(async () => {
    await db.close();
  });

  /** Each joint's masks as its survey links say, next to the kept ones. */
  const masks = (kept: boolean) =>
    db.query<{ episodeId: string; invited: number; completed: number }>(
      kept
        ? `select episode_id as "episodeId", invited, completed from episode_follow_up
           where invited <> 0 order by episode_id`
        : `select episode_id as "episodeId", bit_or(follow_up_timepoint_bit(timepoint)) as invited,
                  coalesce(bit_or(follow_up_timepoint_bit(timepoint))
                    filter (where completed_at is not null), 0) as completed
           from survey_assignments group by episode_id order by episode_id`,
    );

  it('keeps the masks as the links change, and counts flow and worklist as over every joint', async () => {
    // A link answered, one taken back, one removed, a draft saved: the masks follow each.
    const links = await db.query<{ id: string }>(
      `select id from survey_assignments where site_id = $1 order by id limit 3`,
      [siteId],
    );
    await db.query(
      `update survey_assignments set completed_at = case when completed_at is null then now() end
       where id = any($1::uuid[])`,
      [links.slice(0, 2).map((l) => l.id)],
    );
    await db.query('delete from survey_assignments where id = $1', [links[2]?.id]);
    await db.query(`update survey_assignments set draft = '{"x":{}}' where site_id = $1`, [siteId]);
    expect(await masks(true)).toEqual(await masks(false));
    expect((await masks(true)).length).toBeGreaterThan(50);

    const scope = { siteId };
    const schedule = await scheduleFor(db, scope);
    const every = await episodesForFollowUp(db, scope);
    const open = (s: string) => s === 'due' || s === 'overdue';
    for (const days of [-400, -30, 0, 45, 400, 2000]) {
      const today = addDays(toIsoDate(NOW), days);
      expect(await followUpFlowOf(db, scope, {}, today, schedule), today).toEqual(
        followUpFlow(every, today, schedule),
      );
      const openRows = worklist(every, today, schedule, open);
      expect(
        worklist(await episodesWithOpenWindows(db, scope, today, schedule), today, schedule, open),
        today,
      ).toEqual(openRows);
      const atM3 = (s: string, tp: string) => open(s) && tp === 'm3';
      expect(
        worklist(
          await episodesWithOpenWindows(db, scope, today, schedule, 'm3'),
          today,
          schedule,
          atM3,
        ),
        `${today} m3`,
      ).toEqual(worklist(every, today, schedule, atM3));
      if (days === 0) expect(openRows.length).toBeGreaterThan(0);
    }
    for (const cohort of [
      { joint: 'knee' },
      { sex: 'female', klGrade: 3 },
      { productClass: 'PRP' },
      { cellSource: 'bone-marrow' as const, bmiClass: 'overweight' as const },
      // A range selects by its treatments, not by kept keys; alone, straight from each
      // joint's row, without joint_episodes.
      { ageFrom: 50, ageTo: 69, joint: 'knee' },
      { ageFrom: 50, ageTo: 69 },
      { treatedFrom: '2025-11-01' },
    ]) {
      const flow = await followUpFlowOf(db, scope, cohort, toIsoDate(NOW), schedule);
      expect(flow, JSON.stringify(cohort)).toEqual(
        followUpFlow(await episodesForFollowUp(db, scope, cohort), toIsoDate(NOW), schedule),
      );
      // Each selects some joints and not all, so a cohort read as the whole site would show.
      expect(flow.enrolled, JSON.stringify(cohort)).toBeGreaterThan(0);
      expect(flow.enrolled, JSON.stringify(cohort)).toBeLessThan(
        followUpFlow(every, toIsoDate(NOW), schedule).enrolled,
      );
    }
  });

  it('keeps the whole-site counts exact through answers, events, moves and an erasure', async () => {
    /** The kept counts and folded rows, as the next view reads them. */
    const kept = async () => {
      await catchUpFollowUpCounts(db);
      return Promise.all(
        [
          'select site_id, kind, days, event, joints::int from time_to_event_counts order by 1, 2, 3, 4',
          'select site_id, first_treated, invited, completed, joints::int from follow_up_flow_counts order by 1, 2, 3, 4',
          'select * from follow_up_folded order by episode_id',
          'select * from episode_follow_up order by episode_id',
        ].map((sql) => db.query(sql)),
      );
    };
    const [patient] = await db.query<{ id: string; episodes: string[] }>(
      `select p.id, array_agg(e.id::text) as episodes from patients p
       join joint_episodes e on e.patient_id = p.id
       where p.site_id = $1 and exists (select 1 from patient_events pe where pe.patient_id = p.id)
       group by p.id order by p.id limit 1`,
      [siteId],
    );
    if (!patient) throw new Error('no patient with events');
    // Changes folded one at a time, so each is taken out of the counts and put back: a late
    // event, a moved treatment, a later answer, an erasure.
    await kept();
    const [other] = await db.query<{ id: string; patientId: string }>(
      `select e.id, e.patient_id as "patientId" from joint_episodes e
       where e.site_id = $1 and e.patient_id <> $2 and exists (select 1 from treatments t where t.episode_id = e.id)
       order by e.id offset 3 limit 1`,
      [siteId, patient.id],
    );
    if (!other) throw new Error('no other joint');
    await db.query(
      `insert into patient_events (site_id, patient_id, episode_id, kind, event_date, reported_via)
       values ($1, $2, $3, 'reinjection', '2026-09-01', 'clinician')`,
      [siteId, other.patientId, other.id],
    );
    await kept();
    await db.query(
      'update treatments set treatment_date = treatment_date - 30 where site_id = $1 and episode_id = $2',
      [siteId, other.id],
    );
    await kept();
    // A joint without reported events, whose last contact is its last answer.
    await db.query(
      `update responses set submitted_at = submitted_at + interval '40 days'
       where id = (select r.id from responses r
                   where r.site_id = $1 and r.patient_id <> $2 and not exists (
                     select 1 from patient_events pe where pe.episode_id = r.episode_id)
                   order by r.episode_id, r.submitted_at desc limit 1)`,
      [siteId, patient.id],
    );
    await kept();
    await erasePatient(db, { siteId }, patient.id);
    const folded = await kept();
    expect(folded[2]?.length).toBeGreaterThan(50);
    // A bulk load's rebuild (the joints' rows, then the counts) gives the same.
    await db.query('select episode_follow_up_rebuild()');
    expect(await kept()).toEqual(folded);
    // The erasure folded its joints out itself: no id of theirs waits in the log.
    const [left] = await db.query<{ n: number }>(
      'select count(*)::int as n from follow_up_counts_pending where episode_id = any($1::uuid[])',
      [patient.episodes],
    );
    expect(left?.n).toBe(0);
    // The whole-site curve read from the kept counts is the one read from the joints' rows.
    const kinds = ['reinjection', 'arthroplasty', 'returned-to-activities', 'returned-to-work'];
    const sorted = (c: Awaited<ReturnType<typeof timeToEventCounts>>) => ({
      joints: c.joints,
      counts: [...c.counts].sort((a, b) =>
        `${a.kind} ${a.days} ${a.event}`.localeCompare(`${b.kind} ${b.days} ${b.event}`),
      ),
    });
    expect(sorted(await timeToEventCounts(db, siteId, {}, kinds))).toEqual(
      sorted(await timeToEventCountsFromRows(db, siteId, {}, kinds)),
    );
  });

  it('pages the worklist and counts it from the kept counts as core does over every joint', async () => {
    // Patients no longer followed up: from a past date, without a date, from a future date.
    const ended = [
      ['lost-to-follow-up', '2026-03-01'],
      ['deceased', null],
      ['withdrawn', '2027-06-01'],
    ] as const;
    for (const [i, [status, date]] of ended.entries())
      await db.query(
        `update patients set status = $2, status_date = $3
         where id in (select id from patients where site_id = $1 order by id offset $4 limit 3)`,
        [siteId, status, date, i * 3],
      );
    const scope = { siteId };
    const schedule = await scheduleFor(db, scope);
    const every = await episodesForFollowUp(db, scope);
    expect(every.filter((e) => e.ended).length).toBeGreaterThan(5);
    const statuses = [
      ['due', 'overdue'],
      ['upcoming'],
      ['due'],
      ['overdue'],
      ['completed'],
      ['missed'],
      ['ended'],
      ['completed', 'missed', 'ended'],
    ] as const;
    let compared = 0;
    for (const days of [-30, 0, 200, 900])
      for (const wanted of statuses)
        for (const timepoint of [undefined, 'm3', 'm12'])
          for (const limit of [4, 500]) {
            const today = addDays(toIsoDate(NOW), days);
            const all = worklist(
              every,
              today,
              schedule,
              (s, tp) => wanted.includes(s as never) && (!timepoint || tp === timepoint),
            );
            const page = await worklistPage(db, scope, today, schedule, wanted, {
              limit,
              ...(timepoint ? { timepoint } : {}),
            });
            expect(page, `${today} ${wanted} ${timepoint} ${limit}`).toEqual({
              rows: all.slice(0, limit),
              total: all.length,
            });
            compared += all.length;
          }
    expect(compared).toBeGreaterThan(1000);
  });

  it('lists the first rows of a long worklist and counts them all', async () => {
    const [row] = await db.query<{ id: string }>('select id from users where email = $1', [
      'researcher@harbour.example',
    ]);
    const user = row && (await findUserById(db, row.id));
    if (!user) throw new Error('demo researcher missing');
    const ctx = { db, now: () => NOW, views: new ViewCache(() => NOW.getTime()) } as AppContext;
    const actor = { kind: 'user', user } as const;
    const all = await followUpOverview(ctx, actor, { status: 'upcoming', rows: '50' });
    expect(all.worklistTotal).toBeGreaterThan(50);
    expect(all.worklist).toHaveLength(50);
    expect(all.worklist.every((r) => r.status === 'upcoming')).toBe(true);
    const m6 = await followUpOverview(ctx, actor, { status: 'completed', timepoint: 'm6' });
    expect(m6.worklist.every((r) => r.timepoint === 'm6')).toBe(true);
    expect(m6.worklistTotal).toBe(m6.worklist.length);
    await expect(followUpOverview(ctx, actor, { rows: '501' })).rejects.toThrow(/at most 500/);
  });
});
