import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ScoreRow, summariseOutcomes } from '../../core/analytics/outcomes.ts';
import { outcomeCriteria } from '../../core/analytics/responders.ts';
import { BUILT_IN_INSTRUMENTS } from '../../core/instruments/library.ts';
import { addDays } from '../../core/registry/dates.ts';
import { TIMEPOINT_IDS } from '../../core/schedule/timepoints.ts';
import {
  type CohortFilter,
  outcomeSummaries,
  outcomeSummariesFromRows,
  recountOutcomeSums,
  syncOutcomeRules,
} from '../../store/analytics.repo.ts';
import type { Db } from '../../store/db.ts';
import { enqueueJob } from '../../store/jobs.repo.ts';
import { backends } from '../../testing/databases.ts';
import { Client, testApp, testClock, tokenOf } from '../../testing/http.ts';
import { expectSameSummaries } from '../../testing/summaries.ts';
import { KNEE_BASELINE_ANSWERS } from '../../testing/survey-links.ts';
import { DEMO_PASSWORD, seedDemoRegistry } from '../demo.ts';

const NOW = '2026-11-01T12:00:00Z';
const CRITERIA = outcomeCriteria(BUILT_IN_INSTRUMENTS);

/** Every score of the cohort's joints, oldest first: the reference computation's input. */
function rawScores(db: Db, siteId: string, klGrade?: number): Promise<ScoreRow[]> {
  return db.query<ScoreRow>(
    `select r.episode_id as "episodeId", r.site_id as "siteId", r.timepoint,
            s.instrument_id as "instrumentId", s.scale, s.value
     from response_scores s join responses r on r.id = s.response_id
     join joint_episodes e on e.id = r.episode_id
     where s.value is not null and r.site_id = $1 and ($2::int is null or e.kl_grade = $2)
     order by r.submitted_at, r.id`,
    [siteId, klGrade ?? null],
  );
}

/** outcome_joint_scores as recomputed from responses and response_scores, as sorted text. */
async function jointScoresRecomputed(db: Db): Promise<string[]> {
  const rows = await db.query<{
    episodeId: string;
    instrumentId: string;
    scale: string;
    timepoint: string;
    value: number | null;
  }>(
    `select r.episode_id as "episodeId", s.instrument_id as "instrumentId", s.scale, r.timepoint, s.value
     from response_scores s join responses r on r.id = s.response_id
     order by r.submitted_at, r.id`,
  );
  const first = new Map<string, number | null>();
  for (const r of rows) {
    const slot = TIMEPOINT_IDS.indexOf(r.timepoint);
    if (slot < 0) continue;
    const key = `${r.episodeId}|${r.instrumentId}|${r.scale}|${slot + 1}`;
    if (!first.has(key)) first.set(key, r.value);
  }
  return [...first].map(([k, v]) => `${k}=${v}`).sort();
}

async function jointScoresKept(db: Db): Promise<string[]> {
  const rows = await db.query<{ key: string; value: number | null }>(
    `select o.episode_id || '|' || o.instrument_id || '|' || o.scale || '|' || k as key, o.scores[k] as value
     from outcome_joint_scores o cross join generate_series(1, 9) k
     where o.answered_at[k] is not null`,
  );
  return rows.map((r) => `${r.key}=${r.value}`).sort();
}

/** The database's dashboard numbers agree with the reference over the (corrected) data. */
async function expectAggregatesFollow(db: Db, siteId: string, cohort: CohortFilter = {}) {
  expect(await jointScoresKept(db)).toEqual(await jointScoresRecomputed(db));
  const rows = await rawScores(db, siteId, cohort.klGrade);
  const summaries = await outcomeSummaries(db, { siteId, ...cohort }, TIMEPOINT_IDS);
  expect(summaries.joints).toBe(new Set(rows.map((r) => r.episodeId)).size);
  const reference = summariseOutcomes(rows, TIMEPOINT_IDS);
  for (const ref of reference) {
    const level = summaries.levels.find(
      (l) =>
        l.instrumentId === ref.instrumentId &&
        l.scale === ref.scale &&
        l.timepoint === ref.timepoint,
    );
    expect(level?.n, `${ref.instrumentId} ${ref.scale} ${ref.timepoint}`).toBe(ref.level.n);
    expect(level?.mean).toBeCloseTo(ref.level.mean, 9);
  }
  await expectSumsFollow(db, siteId, cohort);
}

/**
 * The sums the triggers kept (migration 0055) give what every joint's row gives, thresholds
 * and responders included, and equal a recount from scratch exactly.
 */
async function expectSumsFollow(db: Db, siteId: string, cohort: CohortFilter) {
  expectSameSummaries(
    await outcomeSummaries(db, { siteId, ...cohort }, TIMEPOINT_IDS, CRITERIA),
    await outcomeSummariesFromRows(db, { siteId, ...cohort }, TIMEPOINT_IDS, CRITERIA),
    JSON.stringify(cohort),
  );
  expect(await recountOutcomeSums(db)).toEqual({ sums: 0, counts: 0, marks: 0 });
}

const version = async (db: Db, siteId: string) =>
  (
    await db.query<{ v: number }>(
      'select sum(version)::int as v from registry_versions where site_id = $1',
      [siteId],
    )
  )[0]?.v ?? 0;

describe.each(backends())('corrections on $name', (backend) => {
  let db: Db;
  let harness: ReturnType<typeof testApp>;
  let clinician: Client;
  let researcher: Client;
  let siteId: string;

  beforeAll(async () => {
    db = await backend.open();
    await syncOutcomeRules(db, CRITERIA);
    await seedDemoRegistry(db, { seed: 5, patients: 60, now: new Date(NOW) });
    harness = testApp(db, testClock(NOW));
    clinician = new Client(harness.app);
    await clinician.signIn('clinician@harbour.example', DEMO_PASSWORD);
    researcher = new Client(harness.app);
    await researcher.signIn('researcher@harbour.example', DEMO_PASSWORD);
    siteId = (await db.query<{ id: string }>(`select id from sites where name like 'Harbour%'`))[0]
      ?.id as string;
  });
  afterAll(async () => {
    await db.close();
  });

  it('corrects answers and rescores them; the joint scores and dashboards follow', async () => {
    const [r] = await db.query<{ id: string; patientId: string; p1: number }>(
      `select id, patient_id as "patientId", (answers->>'P1')::int as p1 from responses
       where site_id = $1 and instrument_id = 'koos' and timepoint = 'baseline' and answers ? 'P1'
       order by id limit 1`,
      [siteId],
    );
    if (!r) throw new Error('no KOOS answer in the demo');
    const before = await version(db, siteId);
    const newValue = r.p1 === 4 ? 0 : 4;
    const bad = await clinician.call('PATCH', `/api/responses/${r.id}`, {
      answers: { P1: 9 },
      reason: 'typed from paper',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0].field).toBe('answers.P1');
    const noReason = await clinician.call('PATCH', `/api/responses/${r.id}`, {
      answers: { P1: newValue },
      reason: '   ',
    });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.fields[0].field).toBe('reason');
    expect(
      (
        await researcher.call('PATCH', `/api/responses/${r.id}`, {
          answers: { P1: newValue },
          reason: 'x',
        })
      ).status,
    ).toBe(403);
    expect(await version(db, siteId)).toBe(before);

    const fixed = await clinician.call('PATCH', `/api/responses/${r.id}`, {
      answers: { P1: newValue },
      reason: 'Paper form says otherwise',
    });
    expect(fixed.status).toBe(200);
    expect(fixed.body.corrected).toEqual(['answers.P1']);
    const [stored] = await db.query<{ p1: number; pain: number }>(
      `select (answers->>'P1')::int as p1,
              (select value from response_scores where response_id = $1 and scale = 'pain') as pain
       from responses where id = $1`,
      [r.id],
    );
    expect(stored?.p1).toBe(newValue);
    expect(stored?.pain).toBe(fixed.body.scores.pain);
    expect(await version(db, siteId)).toBeGreaterThan(before);
    await expectAggregatesFollow(db, siteId);

    const history = await clinician.call('GET', `/api/patients/${r.patientId}/history`);
    const entry = history.body.entries.find((e: { action: string }) => e.action === 'correct');
    expect(entry.reason).toBe('Paper form says otherwise');
    expect(entry.personal.answers.P1).toEqual({ old: r.p1, new: newValue });
    const seen = await researcher.call('GET', `/api/patients/${r.patientId}/history`);
    expect(seen.status).toBe(200);
    expect(seen.body.entries[0].personal).toBeUndefined();
    expect(JSON.stringify(seen.body)).not.toContain('"answers"');
  });

  it('corrects a KL grade: the cohort moves, the history shows old and new grade', async () => {
    const [e] = await db.query<{ id: string; patientId: string; kl: number }>(
      `select e.id, e.patient_id as "patientId", e.kl_grade::int as kl from joint_episodes e
       where e.site_id = $1 and exists (select 1 from responses r where r.episode_id = e.id)
       order by e.id limit 1`,
      [siteId],
    );
    if (!e) throw new Error('no joint');
    const newGrade = e.kl === 4 ? 1 : 4;
    const reply = await clinician.call('PATCH', `/api/episodes/${e.id}`, {
      klGrade: newGrade,
      reason: 'Radiology report re-read',
    });
    expect(reply.status).toBe(200);
    await expectAggregatesFollow(db, siteId, { klGrade: newGrade });
    await expectAggregatesFollow(db, siteId, { klGrade: e.kl });
    const nothing = await clinician.call('PATCH', `/api/episodes/${e.id}`, {
      klGrade: newGrade,
      reason: 'again',
    });
    expect(nothing.status).toBe(400);
    const history = await clinician.call('GET', `/api/patients/${e.patientId}/history`);
    const entry = history.body.entries.find(
      (h: { entity: string }) => h.entity === 'joint_episode',
    );
    expect(entry.detail.changes.klGrade).toEqual({ old: e.kl, new: newGrade });
    expect(entry.by).toBe('Dr Demo Harbour');
  });

  it('removes an answer entered in error from every analysis, and the history keeps it', async () => {
    const [r] = await db.query<{ id: string; patientId: string }>(
      `select id, patient_id as "patientId" from responses where site_id = $1 and timepoint = 'm6'
       order by id limit 1`,
      [siteId],
    );
    if (!r) throw new Error('no answer');
    const reply = await clinician.call('POST', `/api/responses/${r.id}/entered-in-error`, {
      reason: 'Answered by the wrong patient',
    });
    expect(reply.status).toBe(200);
    expect(await db.query('select 1 from responses where id = $1', [r.id])).toEqual([]);
    await expectAggregatesFollow(db, siteId);
    const again = await clinician.call('POST', `/api/responses/${r.id}/entered-in-error`, {
      reason: 'x',
    });
    expect(again.status).toBe(404);
    const history = await clinician.call('GET', `/api/patients/${r.patientId}/history`);
    const entry = history.body.entries.find(
      (h: { action: string }) => h.action === 'entered-in-error',
    );
    expect(entry.reason).toBe('Answered by the wrong patient');
    expect(entry.personal.removed.answers).toBeTruthy();
  });

  it('moves a scored joint between cohorts when its treatment or its patient is corrected; the sums follow', async () => {
    const [t] = await db.query<{ id: string; episodeId: string; patientId: string; sex: string }>(
      `select t.id, t.episode_id as "episodeId", t.patient_id as "patientId", p.sex
       from treatments t join patients p on p.id = t.patient_id
       where t.site_id = $1 and t.product_class <> 'SVF'
         -- A PRP's blood counts, cells from another tissue or cultured cells would be refused as
         -- SVF (issue 16's checks).
         and t.product_class <> 'PRP'
         and coalesce(t.characterisation->>'tissue', 'adipose') = 'adipose'
         and t.characterisation->>'passages' is null
         and exists (select 1 from outcome_joint_scores o where o.episode_id = t.episode_id)
         -- Not the patient whose identity a later test corrects (it reads that one's audit row).
         and t.patient_id <> (select id from patients where site_id = $1 order by id limit 1)
       order by t.id limit 1`,
      [siteId],
    );
    if (!t) throw new Error('no scored treatment');
    const corrected = await clinician.call('PATCH', `/api/treatments/${t.id}`, {
      productClass: 'SVF',
      reason: 'Product taken from the wrong sheet',
    });
    expect(corrected.status, JSON.stringify(corrected.body)).toBe(200);
    await expectAggregatesFollow(db, siteId);
    await expectSumsFollow(db, siteId, { productClass: 'SVF' });
    // A second treatment with the same product: the joint is still counted once.
    const second = await clinician.call('POST', `/api/episodes/${t.episodeId}/treatments`, {
      treatmentDate: '2026-10-20',
      productClass: 'SVF',
      cellDoseMillions: 20,
      volumeMl: 4,
      imageGuidance: 'ultrasound',
    });
    expect(second.status).toBe(201);
    await expectAggregatesFollow(db, siteId);
    await expectSumsFollow(db, siteId, { productClass: 'SVF' });
    await expectSumsFollow(db, siteId, { cellSource: 'adipose', doseBand: '10to50' });
    const sex = t.sex === 'female' ? 'male' : 'female';
    const moved = await clinician.call('PATCH', `/api/patients/${t.patientId}`, {
      sex,
      reason: 'Ticked the wrong box',
    });
    expect(moved.status).toBe(200);
    await expectAggregatesFollow(db, siteId);
    await expectSumsFollow(db, siteId, { sex });
    await expectSumsFollow(db, siteId, { sex: t.sex, productClass: 'SVF' });
    // A corrected birth date moves the ages at every treatment: the joint leaves the sums kept
    // for its old set of ages and joins those of its new one (migration 0106).
    const agesOf = async () =>
      (
        await db.query<{ age: number }>(
          'select distinct age_at_treatment as age from treatments where episode_id = $1 order by 1',
          [t.episodeId],
        )
      ).map((r) => r.age);
    const [identity] = await db.query<{ born: string }>(
      `select to_char(date_of_birth - interval '10 years', 'YYYY-MM-DD') as born
       from patient_identities where patient_id = $1`,
      [t.patientId],
    );
    const agesBefore = await agesOf();
    const older = await clinician.call('PATCH', `/api/patients/${t.patientId}`, {
      dateOfBirth: identity?.born,
      reason: 'Year of birth misread',
    });
    expect(older.status, JSON.stringify(older.body)).toBe(200);
    const agesAfter = await agesOf();
    expect(agesAfter).toEqual(agesBefore.map((a) => a + 10));
    for (const age of [...agesBefore, ...agesAfter])
      await expectSumsFollow(db, siteId, { ageFrom: age, ageTo: age });
    await expectSumsFollow(db, siteId, { ageFrom: agesBefore[0], ageTo: agesAfter[0] });
    // A corrected treatment date in another month moves the joint between sets of treatment
    // half-months (migration 0108).
    const monthOf = async () => {
      const [row] = await db.query<{ date: string; first: string; last: string }>(
        `select treatment_date as date,
                to_char(date_trunc('month', treatment_date), 'YYYY-MM-DD') as first,
                to_char(date_trunc('month', treatment_date) + interval '1 month' - interval '1 day', 'YYYY-MM-DD') as last
         from treatments where id = $1`,
        [t.id],
      );
      if (!row) throw new Error('treatment gone');
      return row;
    };
    const was = await monthOf();
    const redated = await clinician.call('PATCH', `/api/treatments/${t.id}`, {
      treatmentDate: addDays(was.date, -40),
      reason: 'Date taken from the referral letter',
    });
    expect(redated.status, JSON.stringify(redated.body)).toBe(200);
    const now = await monthOf();
    expect(now.first).not.toBe(was.first);
    await expectSumsFollow(db, siteId, { treatedFrom: was.first, treatedTo: was.last });
    await expectSumsFollow(db, siteId, { treatedFrom: now.first, treatedTo: now.last });
    await expectSumsFollow(db, siteId, { sex, treatedFrom: now.first, treatedTo: was.last });
    await expectSumsFollow(db, siteId, { treatedFrom: addDays(now.date, 1), treatedTo: was.last });
    // Across the 15th within its month: the joint changes half-month, not month.
    const day = Number(now.date.slice(8));
    const crossed = `${now.date.slice(0, 8)}${day <= 15 ? '20' : '14'}`;
    const within = await clinician.call('PATCH', `/api/treatments/${t.id}`, {
      treatmentDate: crossed,
      reason: 'Day misread on the sheet',
    });
    expect(within.status, JSON.stringify(within.body)).toBe(200);
    const halves = [
      { treatedFrom: now.first, treatedTo: `${now.first.slice(0, 8)}15` },
      { treatedFrom: `${now.first.slice(0, 8)}16`, treatedTo: now.last },
    ];
    for (const half of halves) await expectSumsFollow(db, siteId, half);
    await expectSumsFollow(db, siteId, { sex, treatedFrom: crossed, treatedTo: was.last });
    // A corrected BMI and cell dose move the joint between sets of its treatments' keys with
    // their ages and with their half-months (migration 0113): obese to normal or back, and
    // into the 50 to 100 million band.
    const [keyed] = await db.query<{ bmi: number | null; age: number }>(
      'select bmi, age_at_treatment as age from treatments where id = $1',
      [t.id],
    );
    if (!keyed) throw new Error('treatment gone');
    const rekeyed = await clinician.call('PATCH', `/api/treatments/${t.id}`, {
      bmi: keyed.bmi !== null && keyed.bmi >= 30 ? 22 : 33,
      cellDoseMillions: 75,
      confirmImplausible: true,
      reason: 'Weight and cell count taken from the laboratory sheet',
    });
    expect(rekeyed.status, JSON.stringify(rekeyed.body)).toBe(200);
    for (const bmiClass of ['normal', 'obese'] as const) {
      await expectSumsFollow(db, siteId, { bmiClass, ageFrom: keyed.age, ageTo: keyed.age });
      await expectSumsFollow(db, siteId, { bmiClass, treatedFrom: now.first, treatedTo: now.last });
    }
    await expectSumsFollow(db, siteId, { cellSource: 'adipose', doseBand: '50to100', ageTo: 90 });
    await expectSumsFollow(db, siteId, { doseBand: '10to50', ageFrom: keyed.age });
    // A date range ending within half-months, with a dose: whole half-months and ends.
    await expectSumsFollow(db, siteId, {
      productClass: 'SVF',
      doseBand: '50to100',
      treatedFrom: crossed,
      treatedTo: was.last,
    });
  });

  it('corrects a treatment date and moves the unanswered follow-up windows, saying what moved', async () => {
    const enrolled = await clinician.call('POST', '/api/patients', {
      givenName: 'Moss',
      familyName: 'Windowson',
      dateOfBirth: '1970-01-01',
      sex: 'male',
      consentDate: '2026-10-01',
      consentGiven: true,
    });
    const patientId = enrolled.body.id;
    const episode = await clinician.call('POST', `/api/patients/${patientId}/episodes`, {
      joint: 'knee',
      side: 'left',
      klGrade: 2,
    });
    const treatment = await clinician.call('POST', `/api/episodes/${episode.body.id}/treatments`, {
      treatmentDate: '2026-10-20',
      productClass: 'PRP',
      volumeMl: 4,
      imageGuidance: 'none',
    });
    const link = await clinician.call('POST', `/api/episodes/${episode.body.id}/surveys`, {
      timepoint: 'w6',
      // Issued on the test's one day, whatever its window.
      confirmOutsideWindow: true,
    });
    expect(link.status).toBe(201);
    const reply = await clinician.call('PATCH', `/api/treatments/${treatment.body.id}`, {
      treatmentDate: '2026-10-13',
      productClass: 'BMAC',
      reason: 'Date and product taken from the wrong sheet',
    });
    expect(reply.status).toBe(200);
    expect(reply.body.movedWindows).toHaveLength(1);
    expect(reply.body.movedWindows[0].timepoint).toBe('w6');
    expect(reply.body.movedWindows[0].from.target).toBe('2026-12-01');
    expect(reply.body.movedWindows[0].to.target).toBe('2026-11-24');
    const [a] = await db.query<{ target: string }>(
      'select window_target as target from survey_assignments where id = $1',
      [link.body.id],
    );
    expect(a?.target).toBe('2026-11-24');
    const bad = await clinician.call('PATCH', `/api/treatments/${treatment.body.id}`, {
      treatmentDate: '1960-01-01',
      reason: 'x',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0].field).toBe('treatmentDate');

    // Clinic-recorded events, then death: contact stops and no link can be issued.
    const event = await clinician.call('POST', `/api/patients/${patientId}/events`, {
      kind: 'reinjection',
      date: '2026-10-30',
      episodeId: episode.body.id,
    });
    expect(event.status).toBe(201);
    const fixedEvent = await clinician.call('PATCH', `/api/events/${event.body.id}`, {
      date: '2026-10-29',
      reason: 'Date misheard on the phone',
    });
    expect(fixedEvent.status).toBe(200);
    const death = await clinician.call('POST', `/api/patients/${patientId}/events`, {
      kind: 'death',
      date: '2026-10-31',
    });
    expect(death.status).toBe(201);
    expect(death.body.cancelled.links).toBe(1);
    // The date of death is a personal value, kept apart from the audit row.
    const history = await clinician.call('GET', `/api/patients/${patientId}/history`);
    const recorded = history.body.entries.find(
      (e: { action: string; detail?: { kind?: string } }) =>
        e.action === 'record-event' && e.detail?.kind === 'death',
    );
    expect(recorded.personal).toEqual({ date: '2026-10-31' });
    const record = await clinician.call('GET', `/api/patients/${patientId}`);
    expect(record.body.patient.status).toBe('deceased');
    expect(record.body.surveys).toEqual([]);
    const refused = await clinician.call('POST', `/api/episodes/${episode.body.id}/surveys`, {
      timepoint: 'm3',
      // Issued on the test's one day, whatever its window.
      confirmOutsideWindow: true,
    });
    expect(refused.status).toBe(409);
  });

  it('corrects and removes adverse events; the safety report follows', async () => {
    const [ae] = await db.query<{ id: string; serious: boolean; product: string }>(
      `select a.id, a.serious, t.product_class as product from adverse_events a
       join treatments t on t.id = a.treatment_id where a.site_id = $1 order by a.id limit 1`,
      [siteId],
    );
    if (!ae) throw new Error('no adverse event in the demo');
    const safety = async () =>
      (await clinician.call('GET', '/api/report/safety')).body.byProduct.find(
        (p: { productClass: string }) => p.productClass === ae.product,
      );
    const before = await safety();
    const reply = await clinician.call('PATCH', `/api/adverse-events/${ae.id}`, {
      serious: !ae.serious,
      grade: 3,
      reason: 'Hospital letter received',
    });
    expect(reply.status).toBe(200);
    const after = await safety();
    expect(after.serious.count).toBe(before.serious.count + (ae.serious ? -1 : 1));
    const removed = await clinician.call('POST', `/api/adverse-events/${ae.id}/entered-in-error`, {
      reason: 'Recorded on the wrong patient',
    });
    expect(removed.status).toBe(200);
    expect((await safety()).events).toBe(before.events - 1);
  });

  it('corrects patient identity with the old values kept apart from the audit row', async () => {
    const [p] = await db.query<{ id: string; family: string }>(
      `select p.id, i.family_name as family from patients p join patient_identities i on i.patient_id = p.id
       where p.site_id = $1 order by p.id limit 1`,
      [siteId],
    );
    if (!p) throw new Error('no patient');
    const bad = await clinician.call('PATCH', `/api/patients/${p.id}`, {
      dateOfBirth: '2030-01-01',
      reason: 'x',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0].field).toBe('dateOfBirth');
    const reply = await clinician.call('PATCH', `/api/patients/${p.id}`, {
      familyName: 'Correctedname',
      reason: 'Spelling on the ID card',
    });
    expect(reply.status).toBe(200);
    const [row] = await db.query<{ detail: string }>(
      `select detail::text as detail from audit_log where action = 'correct' and entity = 'patient'
       and entity_id = $1`,
      [p.id],
    );
    expect(row?.detail).toContain('Spelling on the ID card');
    expect(row?.detail).not.toContain('Correctedname');
    expect(row?.detail).not.toContain(p.family);
  });
});

describe.each(backends())('consent withdrawal and erasure on $name', (backend) => {
  let db: Db;
  let harness: ReturnType<typeof testApp>;
  let clinician: Client;
  let admin: Client;
  let siteId: string;

  beforeAll(async () => {
    db = await backend.open();
    await syncOutcomeRules(db, CRITERIA);
    await seedDemoRegistry(db, { seed: 3, patients: 30, now: new Date('2026-03-01T12:00:00Z') });
    harness = testApp(db, testClock('2026-03-02T10:00:00Z'));
    clinician = new Client(harness.app);
    await clinician.signIn('clinician@harbour.example', DEMO_PASSWORD);
    admin = new Client(harness.app);
    await admin.signIn('admin@harbour.example', DEMO_PASSWORD);
    siteId = (await db.query<{ id: string }>(`select id from sites where name like 'Harbour%'`))[0]
      ?.id as string;
  });
  afterAll(async () => {
    await db.close();
  });

  /** A patient with answers, a draft, queued e-mails and a corrected name. */
  async function patientWithEverything(
    registryId: string,
    family: string,
    email: string,
    correctedGiven: string,
    dateOfBirth: string,
  ) {
    const enrolled = await clinician.call('POST', '/api/patients', {
      registryId,
      givenName: 'Erin',
      familyName: family,
      dateOfBirth,
      sex: 'female',
      email,
      phone: `+44 7700 ${dateOfBirth.slice(2, 4)}0123`,
      consentDate: '2026-03-01',
      consentGiven: true,
    });
    const patientId = enrolled.body.id as string;
    const episode = await clinician.call('POST', `/api/patients/${patientId}/episodes`, {
      joint: 'knee',
      side: 'right',
      klGrade: 3,
      diagnosis: `Medial compartment pain after a fall at the ${family} allotment`,
    });
    const episodeId = episode.body.id as string;
    await clinician.call('POST', `/api/episodes/${episodeId}/treatments`, {
      treatmentDate: '2026-03-02',
      productClass: 'BMAC',
      volumeMl: 8,
      imageGuidance: 'ultrasound',
      notes: 'Tolerated well',
    });
    const baseline = await clinician.call('POST', `/api/episodes/${episodeId}/surveys`, {
      timepoint: 'baseline',
      // Issued on the test's one day, whatever its window.
      confirmOutsideWindow: true,
    });
    const patient = new Client(harness.app);
    const submitted = await patient.call(
      'POST',
      `/api/survey/${tokenOf(baseline.body.url)}/submit`,
      { answers: KNEE_BASELINE_ANSWERS },
    );
    expect(submitted.status).toBe(201);
    const w6 = await clinician.call('POST', `/api/episodes/${episodeId}/surveys`, {
      timepoint: 'w6',
      // Issued on the test's one day, whatever its window.
      confirmOutsideWindow: true,
    });
    await patient.call('PUT', `/api/survey/${tokenOf(w6.body.url)}/draft`, {
      answers: { 'nrs-pain': { NRS: 3 } },
    });
    await enqueueJob(db, {
      kind: 'survey-email',
      payload: { assignmentId: w6.body.id, message: 'reminder', sealedToken: 'sealed' },
      runAt: new Date('2026-04-01T00:00:00Z'),
      dedupeKey: `survey-email:${w6.body.id}:9`,
      siteId,
    });
    const corrected = await clinician.call('PATCH', `/api/patients/${patientId}`, {
      givenName: correctedGiven,
      reason: 'Spelling',
    });
    expect(corrected.status, JSON.stringify(corrected.body)).toBe(200);
    return { patientId, episodeId, w6Token: tokenOf(w6.body.url), w6Id: w6.body.id as string };
  }

  it('withdrawal keeping the data stops all contact at once and keeps the answers', async () => {
    const p = await patientWithEverything(
      'KEEP-1',
      'Keepington',
      'keep@example.org',
      'Kerin',
      '1962-02-11',
    );
    const reply = await clinician.call('POST', `/api/patients/${p.patientId}/withdraw`, {
      data: 'keep',
      reason: 'Patient phoned: no more questionnaires',
    });
    expect(reply.status).toBe(200);
    expect(reply.body.cancelled).toEqual({ links: 1, emails: 1 });
    expect(
      await db.query(`select 1 from jobs where payload->>'assignmentId' = $1`, [p.w6Id]),
    ).toEqual([]);
    expect((await new Client(harness.app).call('GET', `/api/survey/${p.w6Token}`)).status).toBe(
      404,
    );
    const record = await clinician.call('GET', `/api/patients/${p.patientId}`);
    expect(record.body.patient.status).toBe('withdrawn');
    expect(record.body.responses.length).toBeGreaterThan(0);
    const again = await clinician.call('POST', `/api/episodes/${p.episodeId}/surveys`, {
      timepoint: 'm3',
      // Issued on the test's one day, whatever its window.
      confirmOutsideWindow: true,
    });
    expect(again.status).toBe(409);
  });

  it('erasure leaves no identifier or answer in any table, dashboards or exports', async () => {
    const p = await patientWithEverything(
      'ERASE-ME-7',
      'Vanishwell',
      'erin.vanish@example.org',
      'Erinn',
      '1957-08-19',
    );
    const secrets = [
      'ERASE-ME-7',
      'Vanishwell',
      'erin.vanish@example.org',
      '1957-08-19',
      'Erinn',
      'Vanishwell allotment',
      '7700 570123',
    ];
    const before = await outcomeSummaries(db, { siteId }, TIMEPOINT_IDS);

    const unconfirmed = await clinician.call('POST', `/api/patients/${p.patientId}/withdraw`, {
      data: 'erase',
      reason: 'GDPR Art. 17 request',
      confirm: 'ERASE-ME',
    });
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.body.error.fields[0].field).toBe('confirm');
    expect((await clinician.call('GET', `/api/patients/${p.patientId}`)).status).toBe(200);

    const erased = await clinician.call('POST', `/api/patients/${p.patientId}/withdraw`, {
      data: 'erase',
      reason: 'GDPR Art. 17 request',
      confirm: 'ERASE-ME-7',
    });
    expect(erased.status).toBe(200);
    expect((await clinician.call('GET', `/api/patients/${p.patientId}`)).status).toBe(404);

    const tables = await db.query<{ name: string }>(
      `select table_name as name from information_schema.tables
       where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`,
    );
    expect(tables.length).toBeGreaterThan(15);
    for (const { name } of tables) {
      const rows = await db.query<{ row: string }>(
        `select row_to_json(t)::text as row from "${name}" t`,
      );
      for (const { row } of rows) {
        for (const secret of secrets) expect(row, `${name} holds ${secret}`).not.toContain(secret);
        // The bare id stays only in the append-only audit log, linked to nothing any more.
        if (name !== 'audit_log') {
          expect(row, `${name} holds the patient id`).not.toContain(p.patientId);
          // Nor do the dashboard sums keep the joint's scores for a later fold.
          expect(row, `${name} holds the joint's id`).not.toContain(p.episodeId);
        }
      }
    }
    expect(await db.query('select 1 from responses where episode_id = $1', [p.episodeId])).toEqual(
      [],
    );
    const [audit] = await db.query<{ detail: string; patientId: string | null }>(
      `select detail::text as detail, patient_id as "patientId" from audit_log where action = 'erase'`,
    );
    expect(audit?.detail).toContain('GDPR Art. 17 request');
    expect(audit?.patientId).toBeNull();

    const after = await outcomeSummaries(db, { siteId }, TIMEPOINT_IDS);
    expect(after.joints).toBe(before.joints - 1);
    await expectAggregatesFollow(db, siteId);
    for (const path of [
      '/api/export/scores.csv?identified=true',
      '/api/export/bundle.json?identified=true',
      '/api/patients?search=Vanish',
      '/api/follow-up?status=upcoming',
    ]) {
      const reply = await admin.call('GET', path);
      expect(reply.status, path).toBe(200);
      const text = JSON.stringify(reply.body);
      for (const secret of [...secrets, p.patientId])
        expect(text, `${path} ${secret}`).not.toContain(secret);
    }
  });
});
