import { describe, expect, it } from 'vitest';
import { backends, twoSiteDatabase } from '../../testing/databases.ts';
import { Client, enrolTreatedPatient, testApp, testClock, tokenOf } from '../../testing/http.ts';

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
});
