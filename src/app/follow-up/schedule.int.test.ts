import { describe, expect, it } from 'vitest';
import { backends, twoSiteDatabase } from '../../testing/databases.ts';
import { Client, enrolTreatedPatient, testApp } from '../../testing/http.ts';

describe.each(backends())("a registry's own follow-up windows on $name", (backend) => {
  const clinic = twoSiteDatabase(backend, { admin: true });

  it('lets an admin widen a window, refuses overlaps and non-admins, and issues links with it', async () => {
    const harness = testApp(clinic.db);
    const admin = new Client(harness.app);
    await admin.signIn('admin@harbour.test');
    const clinician = new Client(harness.app);
    await clinician.signIn('clin@harbour.test');

    const before = await clinician.call('GET', '/api/schedule');
    expect(before.body.timepoints.find((t: { id: string }) => t.id === 'm6')).toMatchObject({
      windowBefore: 30,
      windowAfter: 30,
    });
    const wider = { windows: [{ timepoint: 'm6', windowBefore: 45, windowAfter: 60 }] };
    expect((await clinician.call('PUT', '/api/schedule', wider)).status).toBe(403);
    const overlap = await admin.call('PUT', '/api/schedule', {
      windows: [{ timepoint: 'w6', windowBefore: 14, windowAfter: 40 }],
    });
    expect(overlap.status).toBe(400);
    expect(overlap.body.error.fields).toEqual([
      { field: 'windows.m3', message: 'The 3 months window would overlap the 6 weeks window' },
    ]);
    const saved = await admin.call('PUT', '/api/schedule', wider);
    expect(saved.status).toBe(200);

    const { episodeId } = await enrolTreatedPatient(clinician); // treated 2026-03-02
    const issued = await clinician.call('POST', `/api/episodes/${episodeId}/surveys`, {
      timepoint: 'm6',
      confirmOutsideWindow: true,
    });
    expect(issued.body).toMatchObject({
      windowTarget: '2026-09-02',
      windowOpens: '2026-07-19',
      windowCloses: '2026-11-01',
    });

    const north = new Client(harness.app);
    await north.signIn('clin@north.test');
    const theirs = await north.call('GET', '/api/schedule');
    expect(theirs.body.timepoints.find((t: { id: string }) => t.id === 'm6').windowAfter).toBe(30);
  });
});
