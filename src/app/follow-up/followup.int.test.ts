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
