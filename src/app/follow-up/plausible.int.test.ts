import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../store/db.ts';
import { backends } from '../../testing/databases.ts';
import {
  Client,
  enrolTreatedPatient,
  seedTwoSites,
  testApp,
  testClock,
  tokenOf,
} from '../../testing/http.ts';

/** Answers the nrs-pain part only: enough for a submission to be taken. */
const ANSWERS = { 'nrs-pain': { NRS: 4 } };

describe.each(backends())('survey links and reported dates on $name', (backend) => {
  let db: Db;
  let harness: ReturnType<typeof testApp>;
  let clinician: Client;
  let episodeId: string;
  const patient = () => new Client(harness.app);

  beforeAll(async () => {
    db = await backend.open();
    await seedTwoSites(db);
    harness = testApp(db, testClock('2026-03-02T10:00:00Z'));
    clinician = new Client(harness.app);
    await clinician.signIn('clin@harbour.test');
    ({ episodeId } = await enrolTreatedPatient(clinician)); // treated 2026-03-02
  });
  afterAll(async () => {
    await db.close();
  });

  const issue = async (timepoint: string) => {
    const reply = await clinician.call('POST', `/api/episodes/${episodeId}/surveys`, {
      timepoint,
      // Issued on the test's one day, whatever the time point's window.
      confirmOutsideWindow: true,
    });
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    return tokenOf(reply.body.url);
  };

  it('replaces a live link when a new one is issued for the same time point', async () => {
    const old = await issue('w6');
    expect((await patient().call('GET', `/api/survey/${old}`)).status).toBe(200);
    const fresh = await issue('w6');
    expect((await patient().call('GET', `/api/survey/${old}`)).status).toBe(410);
    const refused = await patient().call('POST', `/api/survey/${old}/submit`, {
      answers: ANSWERS,
    });
    expect(refused.status).toBe(410);
    expect((await patient().call('GET', `/api/survey/${fresh}`)).status).toBe(200);
    const [{ live }] = (await db.query<{ live: number }>(
      `select count(*)::int as live from survey_assignments
       where episode_id = $1 and timepoint = 'w6' and completed_at is null and expires_at > $2`,
      [episodeId, harness.clock.now()],
    )) as [{ live: number }];
    expect(live).toBe(1);
    // Another time point's link is left alone.
    const m3 = await issue('m3');
    await issue('w6');
    expect((await patient().call('GET', `/api/survey/${m3}`)).status).toBe(200);
  });

  it('refuses later events on a baseline survey, naming the field', async () => {
    const baseline = await issue('baseline');
    const reply = await patient().call('POST', `/api/survey/${baseline}/submit`, {
      answers: ANSWERS,
      events: [{ kind: 'returned-to-work', date: '2026-03-02' }],
    });
    expect(reply.status).toBe(400);
    expect(reply.body.error.fields).toEqual([expect.objectContaining({ field: 'events' })]);
  });

  it('refuses a later event dated before the treatment, naming the event', async () => {
    harness.clock.advanceDays(90);
    await clinician.signIn('clin@harbour.test'); // the session ended meanwhile
    const m3 = await issue('m3');
    const reply = await patient().call('POST', `/api/survey/${m3}/submit`, {
      answers: ANSWERS,
      events: [
        { kind: 'returned-to-activities', date: '2026-04-01' },
        { kind: 'returned-to-work', date: '2026-02-20' },
      ],
    });
    expect(reply.status).toBe(400);
    expect(reply.body.error.fields).toEqual([
      { field: 'events.1.date', message: expect.stringContaining('2026-03-02') },
    ]);
    const ok = await patient().call('POST', `/api/survey/${m3}/submit`, {
      answers: ANSWERS,
      events: [{ kind: 'returned-to-work', date: '2026-03-02' }],
    });
    expect(ok.status).toBe(201);
  });
});
