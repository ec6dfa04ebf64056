import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CohortFilter, fewRangeJoints, sqlParams } from '../../store/analytics.repo.ts';
import { erasePatient } from '../../store/corrections.repo.ts';
import type { Db } from '../../store/db.ts';
import { outreachCounts, outreachCountsFromRows } from '../../store/outreach.repo.ts';
import { backends } from '../../testing/databases.ts';
import {
  Client,
  enrolTreatedPatient,
  seedTwoSites,
  testApp,
  testClock,
  tokenOf,
} from '../../testing/http.ts';
import { addTreatmentsOfAnotherProduct } from '../../testing/mixed-products.ts';
import { seedDemoRegistry } from '../demo.ts';
import { outreachReport } from './outreach.ts';

describe.each(backends())('the call list and phone interviews on $name', (backend) => {
  let db: Db;
  beforeAll(async () => {
    db = await backend.open();
    await seedTwoSites(db);
  });
  afterAll(async () => {
    await db.close();
  });

  it('lists a survey whose messages have run out, logs calls, and records a phone interview as such', async () => {
    const { clock, app } = testApp(db, testClock('2026-08-20T09:00:00Z'));
    const clinician = new Client(app);
    await clinician.signIn('clin@harbour.test');
    const { patientId, episodeId } = await enrolTreatedPatient(clinician);
    await clinician.call('PUT', `/api/patients/${patientId}/contact`, {
      mobile: '+447400123456',
      smsConsent: 'none',
      timeZone: 'Europe/London',
      language: 'fr',
      preferredCallTime: 'After 17:00',
    });
    const issued = await clinician.call('POST', `/api/episodes/${episodeId}/surveys`, {
      timepoint: 'm6',
    });
    expect(issued.status).toBe(201);
    const assignmentId = issued.body.id as string;
    // Not yet: a link is listed only some days after its last message.
    const early = await clinician.call('GET', '/api/call-list');
    expect(early.body.patients.map((p: { assignmentId: string }) => p.assignmentId)).not.toContain(
      assignmentId,
    );
    clock.advanceDays(4);
    await clinician.signIn('clin@harbour.test'); // the session lapsed meanwhile
    const list = await clinician.call('GET', '/api/call-list');
    expect(list.status).toBe(200);
    const row = list.body.patients.find(
      (p: { assignmentId: string }) => p.assignmentId === assignmentId,
    );
    expect(row).toMatchObject({
      patientId,
      mobile: '+447400123456',
      language: 'fr',
      preferredCallTime: 'After 17:00',
      timepoint: 'm6',
      timepointLabel: '6 months',
      calls: 0,
    });

    // Bad input names the field and logs nothing; other sites and researchers are refused.
    const bad = await clinician.call('POST', `/api/call-list/${assignmentId}/attempts`, {
      outcome: 'busy',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0].field).toBe('outcome');
    const north = new Client(app);
    await north.signIn('clin@north.test');
    expect(
      (
        await north.call('POST', `/api/call-list/${assignmentId}/attempts`, {
          outcome: 'voicemail',
        })
      ).status,
    ).toBe(404);
    expect((await north.call('POST', `/api/call-list/${assignmentId}/interview`)).status).toBe(404);
    const researcher = new Client(app);
    await researcher.signIn('research@harbour.test');
    expect((await researcher.call('GET', '/api/call-list')).status).toBe(403);
    const none = await db.query('select 1 from follow_up_contacts where assignment_id = $1', [
      assignmentId,
    ]);
    expect(none).toHaveLength(0);

    const voicemail = await clinician.call('POST', `/api/call-list/${assignmentId}/attempts`, {
      outcome: 'voicemail',
      note: 'Left a message',
    });
    expect(voicemail.status).toBe(201);
    clock.advanceDays(1);
    await clinician.signIn('clin@harbour.test');
    expect(
      (
        await clinician.call('POST', `/api/call-list/${assignmentId}/attempts`, {
          outcome: 'reached',
        })
      ).status,
    ).toBe(201);
    const again = await clinician.call('GET', '/api/call-list');
    expect(
      again.body.patients.find((p: { assignmentId: string }) => p.assignmentId === assignmentId),
    ).toMatchObject({ calls: 2, lastOutcome: 'reached' });

    // The clinician answers with the patient on the phone through an interview link.
    clock.advanceDays(0.01);
    const interview = await clinician.call('POST', `/api/call-list/${assignmentId}/interview`);
    expect(interview.status).toBe(201);
    expect(interview.body.mode).toBe('phone');
    const token = tokenOf(interview.body.url);
    const patientPage = new Client(app);
    expect((await patientPage.call('GET', `/api/survey/${token}`)).status).toBe(200);
    const sent = await patientPage.call('POST', `/api/survey/${token}/submit`, {
      answers: { 'nrs-pain': { NRS: 2 } },
    });
    expect(sent.status).toBe(201);
    const [user] = await db.query<{ id: string }>(
      "select id from users where email = 'clin@harbour.test'",
    );
    const modes = await db.query<{ mode: string; enteredBy: string }>(
      'select distinct mode, entered_by as "enteredBy" from responses where assignment_id = $1',
      [assignmentId],
    );
    expect(modes).toEqual([{ mode: 'phone', enteredBy: user?.id }]);
    const [submitted] = await db.query<{ actorKind: string; actorUserId: string }>(
      `select actor_kind as "actorKind", actor_user_id as "actorUserId" from audit_log
       where action = 'submit' and entity_id = $1`,
      [assignmentId],
    );
    expect(submitted).toEqual({ actorKind: 'user', actorUserId: user?.id });
    // Answered: off the call list, and no further calls or interviews.
    const after = await clinician.call('GET', '/api/call-list');
    expect(
      after.body.patients.some((p: { assignmentId: string }) => p.assignmentId === assignmentId),
    ).toBe(false);
    expect(
      (
        await clinician.call('POST', `/api/call-list/${assignmentId}/attempts`, {
          outcome: 'reached',
        })
      ).status,
    ).toBe(409);

    // The outreach report counts the answer as a phone interview, after the second call.
    const [site] = await db.query<{ id: string }>("select id from sites where name = 'Harbour'");
    const report = await outreachReport(db, site?.id ?? '', {}, '2027-02-01');
    const m6 = report.timepoints.find((t) => t.timepoint === 'm6');
    expect(m6?.byMode.find((m) => m.mode === 'phone')).toMatchObject({ completed: 1 });
    expect(m6?.byChannel).toContainEqual(
      expect.objectContaining({ channels: 'phone', links: 1, completed: 1 }),
    );
    expect(report.afterEachMessage).toEqual([
      { message: 'Call 1', reached: 1, answeredBefore: 0, rate: 0 },
      { message: 'Call 2', reached: 1, answeredBefore: 1, rate: 1 },
    ]);
    const web = await clinician.call('GET', '/api/report/outreach');
    expect(web.status).toBe(200);
    expect(web.body.afterEachMessage).toHaveLength(2);
  });
});

describe.each(backends())('the outreach counts on $name', (backend) => {
  let db: Db;
  beforeAll(async () => {
    db = await backend.open();
    await seedDemoRegistry(db, { seed: 11, patients: 150, now: new Date('2026-11-01T12:00:00Z') });
    // Joints treated with two products, so a product and a range must meet in one treatment.
    expect(await addTreatmentsOfAnotherProduct(db)).toBeGreaterThan(50);
  });
  afterAll(async () => {
    await db.close();
  });

  it('are, in one statement, what the three statements over every link give', async () => {
    const sites = await db.query<{ id: string }>('select id from sites order by name');
    // Every treatment date: ages with dates are no kept set's, so the shares are read.
    const few: CohortFilter = {
      productClass: 'BMAC',
      bmiClass: 'obese',
      ageFrom: 60,
      ageTo: 69,
      treatedFrom: '2000-01-01',
    };
    const many: CohortFilter = { bmiClass: 'overweight', ageFrom: 18, treatedFrom: '2000-01-01' };
    const cohorts: CohortFilter[] = [
      {},
      { joint: 'knee' },
      { productClass: 'PRP', sex: 'female' },
      { klGrade: 3, cellSource: 'bone-marrow' as const },
      // Ages or whole treatment half-months, with the joint, KL grade or sex at most: the counts
      // kept per set of ages (0107) or half-months (0109); a range ending within one adds the
      // shares of the joints treated at its ends; ages or whole half-months with a product, dose
      // or BMI, the counts per set of its treatments' keys with their ages or half-months
      // (0113); ages with dates, their joints' shares.
      { ageFrom: 50, ageTo: 69 },
      { ageFrom: 70 },
      { joint: 'knee', sex: 'female', ageTo: 59 },
      { productClass: 'PRP', ageFrom: 50 },
      { treatedFrom: '2024-07-01' },
      { treatedFrom: '2024-07-01', treatedTo: '2025-06-30' },
      { joint: 'knee', treatedTo: '2025-03-31' },
      { treatedFrom: '2024-03-10', treatedTo: '2025-02-20' },
      { sex: 'female', treatedFrom: '2024-09-17' },
      { productClass: 'PRP', treatedFrom: '2024-01-01', treatedTo: '2024-12-31' },
      { joint: 'knee', cellSource: 'adipose', ageTo: 64 },
      { productClass: 'BMAC', klGrade: 3, treatedFrom: '2024-03-16' },
      { cellSource: 'adipose', productClass: 'BMAC', ageFrom: 40 },
      { productClass: 'PRP', treatedFrom: '2024-03-10', treatedTo: '2025-02-20' },
      { productClass: 'BMAC', bmiClass: 'obese', ageFrom: 60, ageTo: 69 },
      { joint: 'knee', sex: 'female', productClass: 'BMAC', bmiClass: 'obese', ageFrom: 60 },
      { bmiClass: 'overweight', ageFrom: 18 },
      { bmiClass: 'normal', ageFrom: 60, ageTo: 69 },
      { doseBand: '50to100', treatedFrom: '2024-01-01', treatedTo: '2024-12-31' },
      { cellSource: 'adipose', doseBand: '10to50', treatedFrom: '2024-03-15' },
      // Ages with dates: their joints' shares, listed when few, scanned when many.
      few,
      { ...few, joint: 'knee', sex: 'female' },
      many,
    ];
    // The path follows the planner's estimates: taken from statistics of the rows as they are now.
    await db.query('analyze');
    const { bind } = sqlParams();
    const listed = (cohort: CohortFilter) =>
      fewRangeJoints(db, { ...cohort, siteId: sites[0]?.id }, null, bind, 'outreach');
    expect(await listed(few)).not.toBeNull();
    expect(await listed(many)).toBeNull();
    const fewCounts = await outreachCounts(db, sites[0]?.id ?? '', few);
    expect(fewCounts.byChannel.length).toBeGreaterThan(0);
    // A range with no whole half-month inside, around a day a joint with links was treated.
    const [day] = await db.query<{ from: string; to: string; next: string; product: string }>(
      `select to_char(t.treatment_date - 1, 'YYYY-MM-DD') as from,
              to_char(t.treatment_date + 1, 'YYYY-MM-DD') as to,
              to_char(date_trunc('month', t.treatment_date) + interval '2 months' - interval '1 day', 'YYYY-MM-DD') as next,
              t.product_class as product
       from treatments t join survey_assignments a on a.episode_id = t.episode_id
       where extract(day from t.treatment_date) between 3 and 12
         -- Its joint treated 30 days later with another product (addTreatmentsOfAnotherProduct):
         -- inside the whole half-months of the longer range, which must not hide it.
         and exists (select 1 from treatments u where u.episode_id = t.episode_id
                       and u.product_class <> t.product_class
                       and u.treatment_date = t.treatment_date + 30)
       order by t.treatment_date limit 1`,
    );
    if (!day) throw new Error('no joint with links treated in the first half of a month');
    cohorts.push({ treatedFrom: day.from, treatedTo: day.to });
    cohorts.push({ productClass: day.product, treatedFrom: day.from, treatedTo: day.to });
    cohorts.push({ productClass: day.product, treatedFrom: day.from, treatedTo: day.next });
    // Folded once first, so the changes below are taken out of the kept counts and put back.
    for (const site of sites)
      for (const cohort of cohorts) await outreachCounts(db, site.id, cohort);
    // An answer removed and one entered on another mode: the modes kept on the links follow.
    await db.query(
      `delete from responses where id = (select id from responses
                                         where assignment_id is not null order by id limit 1)`,
    );
    await db.query(
      `update responses set mode = 'paper' where id = (select id from responses
         where assignment_id is not null and mode <> 'paper' order by id offset 3 limit 1)`,
    );
    // An answer entered again by phone, inserted as no submission path inserts it (without its
    // link's modes): the link's modes gain the phone's (migration 0124 looks before it updates).
    const [retyped] = await db.query<{ assignment_id: string; answers: unknown } & object>(
      `delete from responses where id = (select id from responses
         where assignment_id is not null and mode not in ('paper', 'phone') order by id offset 6 limit 1)
       returning site_id, patient_id, episode_id, assignment_id, instrument_id, timepoint, answers,
                 submitted_at, in_window`,
    );
    if (!retyped) throw new Error('no answer on a link to enter again');
    await db.query(
      `insert into responses (site_id, patient_id, episode_id, assignment_id, instrument_id,
                              timepoint, answers, submitted_at, in_window, mode)
       select site_id, patient_id, episode_id, assignment_id, instrument_id, timepoint, answers,
              submitted_at, in_window, 'phone'
       from jsonb_populate_record(null::responses, $1::jsonb)`,
      [JSON.stringify(retyped)],
    );
    const [link] = await db.query<{ answered_modes: string[] }>(
      'select answered_modes from survey_assignments where id = $1',
      [retyped.assignment_id],
    );
    expect(link?.answered_modes).toContain('phone');
    // A link answered, a reminder sent, a newer link replacing an older one, a contact's
    // time moved past its answer, a patient erased.
    await db.query(
      `update survey_assignments set completed_at = now()
       where id = (select id from survey_assignments where completed_at is null order by id limit 1)`,
    );
    await db.query(
      `insert into follow_up_contacts (site_id, patient_id, assignment_id, channel, step, at)
       select site_id, patient_id, id, 'sms', 3, created_at + interval '20 days'
       from survey_assignments order by id offset 7 limit 1`,
    );
    await db.query(
      `update survey_assignments set created_at = now()
       where id = (select a.id from survey_assignments a
                   where exists (select 1 from survey_assignments b where b.episode_id = a.episode_id
                                   and b.timepoint = a.timepoint and b.id <> a.id)
                   order by a.created_at limit 1)`,
    );
    await db.query(
      `update follow_up_contacts set at = at + interval '400 days'
       where id = (select id from follow_up_contacts order by id offset 11 limit 1)`,
    );
    // A joint's cohort key changed three ways: its shares move to the new key.
    await db.query(
      `update treatments set product_class = 'BMAC'
       where id = (select t.id from treatments t join survey_assignments a on a.episode_id = t.episode_id
                   where t.product_class = 'PRP' order by t.id limit 1)`,
    );
    await db.query(
      `update patients set sex = case when sex = 'female' then 'male' else 'female' end
       where id = (select patient_id from survey_assignments order by id offset 5 limit 1)`,
    );
    await db.query(
      `update joint_episodes set kl_grade = case when kl_grade = 3 then 2 else 3 end
       where id = (select episode_id from survey_assignments order by id offset 9 limit 1)`,
    );
    // A birth date corrected by 15 years: the joint's shares move to its new set of ages.
    await db.query(
      `update patient_identities set date_of_birth = date_of_birth - interval '15 years'
       where patient_id = (select patient_id from survey_assignments order by id offset 13 limit 1)`,
    );
    // A treatment date moved back 45 days: the joint's shares move to its new set of half-months.
    await db.query(
      `update treatments set treatment_date = treatment_date - 45
       where id = (select t.id from treatments t join survey_assignments a on a.episode_id = t.episode_id
                   order by t.id offset 17 limit 1)`,
    );
    const [erased] = await db.query<{ id: string; siteId: string; episodes: string[] }>(
      `select p.id, p.site_id as "siteId", array_agg(distinct a.episode_id::text) as episodes
       from patients p join survey_assignments a on a.patient_id = p.id
       group by p.id order by p.id limit 1`,
    );
    if (!erased) throw new Error('no patient with links');
    await erasePatient(db, { siteId: erased.siteId }, erased.id);
    const [left] = await db.query<{ n: number }>(
      `select (select count(*) from outreach_counts_pending where episode_id = any($1::uuid[]))
            + (select count(*) from outreach_folded where episode_id = any($1::uuid[]))
            + (select count(*) from outreach_folded_keys where episode_id = any($1::uuid[]))
            + (select count(*) from outreach_folded_ages where episode_id = any($1::uuid[]))
            + (select count(*) from outreach_folded_half_months where episode_id = any($1::uuid[])) as n`,
      [erased.episodes],
    );
    expect(Number(left?.n)).toBe(0);
    for (const site of sites)
      for (const cohort of cohorts) {
        const kept = await outreachCounts(db, site.id, cohort);
        expect(kept, JSON.stringify(cohort)).toEqual(
          await outreachCountsFromRows(db, site.id, cohort),
        );
        if (Object.keys(cohort).length === 0) {
          // The demo uses every channel, mode and reminder, so the comparison is not empty.
          expect(new Set(kept.byMode.map((m) => m.mode)).size).toBeGreaterThan(2);
          expect(kept.afterMessage.length).toBeGreaterThan(2);
        }
      }
    // What the folds left is what counting every joint afresh gives.
    // Per set of ages, half-months, and treatment keys with either (0107, 0109, 0113): the
    // counts and the set each joint's shares went in under.
    const setKinds = ['age', 'half_month', 'cohort_age', 'cohort_half_month'];
    const keptRows = async () => [
      await db.query(
        'select * from outreach_counts order by site_id, section, timepoint, label, step',
      ),
      await db.query(
        `select * from outreach_cohort_counts
         order by site_id, joint, kl_grade, sex, treatments, section, timepoint, label, step`,
      ),
      await db.query('select * from outreach_folded_keys order by episode_id'),
      ...(await Promise.all(
        setKinds.flatMap((kind) => [
          db.query(
            `select * from outreach_${kind}_counts
             order by site_id, joint, kl_grade, sex, ${kind}s, section, timepoint, label, step`,
          ),
          db.query(`select * from outreach_folded_${kind}s order by episode_id`),
        ]),
      )),
    ];
    const folded = await keptRows();
    await db.query('select outreach_counts_rebuild()');
    expect(await keptRows()).toEqual(folded);
  });
});
