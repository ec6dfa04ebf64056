import { describe, expect, it } from 'vitest';
import { backends, twoSiteDatabase } from '../../testing/databases.ts';
import { Client, enrolTreatedPatient, testApp, testClock, tokenOf } from '../../testing/http.ts';

describe.each(backends())('events reported from a survey link on $name', (backend) => {
  const clinic = twoSiteDatabase(backend);

  it('stores re-injection, joint replacement and return dates with the answers, refusing bad ones whole', async () => {
    const harness = testApp(clinic.db, testClock('2026-09-01T10:00:00Z'));
    const clinician = new Client(harness.app);
    await clinician.signIn('clin@harbour.test');
    const { episodeId, patientId } = await enrolTreatedPatient(clinician);
    const issued = await clinician.call('POST', `/api/episodes/${episodeId}/surveys`, {
      timepoint: 'm6',
    });
    const patient = new Client(harness.app);
    const submit = (events: unknown) =>
      patient.call('POST', `/api/survey/${tokenOf(issued.body.url)}/submit`, {
        answers: { 'nrs-pain': { NRS: 2 } },
        events,
      });

    const future = await submit([{ kind: 'returned-to-work', date: '2026-12-01' }]);
    expect(future.status).toBe(400);
    expect(future.body.error.fields).toEqual([
      { field: 'events.0.date', message: 'This date is in the future' },
    ]);
    const badKind = await submit([{ kind: 'surgery', date: '2026-05-01' }]);
    expect(badKind.status).toBe(400);
    expect(badKind.body.error.fields[0].field).toBe('events.0.kind');
    expect((await clinician.call('GET', `/api/patients/${patientId}`)).body.responses).toEqual([]);

    const ok = await submit([
      { kind: 'returned-to-activities', date: '2026-04-10' },
      { kind: 'reinjection', date: '2026-07-15' },
    ]);
    expect(ok.status).toBe(201);
    const record = await clinician.call('GET', `/api/patients/${patientId}`);
    expect(record.body.events.map((e: { kind: string; date: string }) => [e.kind, e.date])).toEqual(
      [
        ['returned-to-activities', '2026-04-10'],
        ['reinjection', '2026-07-15'],
      ],
    );
    const other = new Client(harness.app);
    await other.signIn('clin@north.test');
    expect((await other.call('GET', `/api/patients/${patientId}`)).status).toBe(404);

    // The site's outcome report counts the answer; the other site's does not.
    const report = await clinician.call('GET', '/api/report?joint=knee&product=BMAC');
    expect(report.body.outcomes).toEqual([
      expect.objectContaining({
        instrumentId: 'nrs-pain',
        scale: 'pain',
        timepoint: 'm6',
        level: expect.objectContaining({ n: 1, mean: 2 }),
      }),
    ]);
    expect((await other.call('GET', '/api/report')).body.outcomes).toEqual([]);
    expect((await clinician.call('GET', '/api/report?kl=9')).status).toBe(400);
    // Benchmarking: Harbour's one joint is its own; Northside sees it only as a peer whose
    // figures are withheld (fewer than 5 joints), never by name.
    const own = await clinician.call('GET', '/api/report/benchmark?joint=knee');
    expect(own.body.site).toHaveLength(1);
    expect(own.body.peers).toEqual([]);
    const theirs = await other.call('GET', '/api/report/benchmark');
    expect(theirs.body.site).toEqual([]);
    expect(theirs.body.restOfNetwork).toEqual([]);
    expect(theirs.body.peers).toEqual([{ label: 'Site A', outcomes: [] }]);

    // Re-injection on 2026-07-15, 135 days after the 2026-03-02 treatment.
    const durability = await clinician.call('GET', '/api/report/durability');
    expect(durability.body.reinjectionFree).toMatchObject({ joints: 1, events: 1 });
    expect(durability.body.reinjectionFree.steps[0]).toMatchObject({
      nRisk: 1,
      nEvent: 1,
      surv: 0,
    });
    expect(durability.body.reinjectionFree.steps[0].time).toBeCloseTo(135 / (365.25 / 12), 12);
    // No replacement: censored at the last contact, the day of the answers (2026-09-01).
    expect(durability.body.arthroplastyFree).toMatchObject({ joints: 1, events: 0 });
    expect(durability.body.arthroplastyFree.steps[0].time).toBeCloseTo(183 / (365.25 / 12), 12);
  });
});
