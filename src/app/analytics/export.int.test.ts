import { describe, expect, it } from 'vitest';
import { listSites } from '../../store/sites.repo.ts';
import { backends, twoSiteDatabase } from '../../testing/databases.ts';
import {
  Client,
  ENROL_BODY,
  enrolTreatedPatient,
  testApp,
  testClock,
  tokenOf,
} from '../../testing/http.ts';
import { buildExport, buildExportFolder } from './export.ts';
import { ViewCache } from './view-cache.ts';

describe.each(backends())('research exports on $name', (backend) => {
  const clinic = twoSiteDatabase(backend, { admin: true });

  it('exports de-identified data to every role, identified only to admins, and audits each', async () => {
    const harness = testApp(clinic.db, testClock('2026-03-02T10:00:00Z'));
    const clinician = new Client(harness.app);
    await clinician.signIn('clin@harbour.test');
    const { episodeId } = await enrolTreatedPatient(clinician);
    const issued = await clinician.call('POST', `/api/episodes/${episodeId}/surveys`, {
      timepoint: 'baseline',
    });
    await new Client(harness.app).call('POST', `/api/survey/${tokenOf(issued.body.url)}/submit`, {
      answers: { 'nrs-pain': { NRS: 6 } },
    });

    const researcher = new Client(harness.app);
    await researcher.signIn('research@harbour.test');
    const csv = await researcher.call('GET', '/api/export/scores.csv');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.headers.get('content-disposition')).toContain('scores.csv');
    const text = String(csv.body);
    expect(text.split('\n')[0]).toMatch(/^study_id,/);
    expect(text).toContain('nrs-pain,pain,6');
    for (const secret of [ENROL_BODY.givenName, ENROL_BODY.familyName, ENROL_BODY.dateOfBirth])
      expect(text).not.toContain(secret);

    expect((await researcher.call('GET', '/api/export/scores.csv?identified=true')).status).toBe(
      403,
    );
    expect((await clinician.call('GET', '/api/export/bundle.json?identified=true')).status).toBe(
      403,
    );
    expect((await researcher.call('GET', '/api/export/scores.csv?identified=maybe')).status).toBe(
      400,
    );

    const admin = new Client(harness.app);
    await admin.signIn('admin@harbour.test');
    const identified = await admin.call('GET', '/api/export/scores.csv?identified=true');
    expect(identified.status).toBe(200);
    expect(String(identified.body)).toContain(ENROL_BODY.familyName);
    const bundle = await researcher.call('GET', '/api/export/bundle.json');
    expect(bundle.body.resourceType).toBe('Bundle');
    expect(JSON.stringify(bundle.body)).not.toContain(ENROL_BODY.familyName);
    const dictionary = await researcher.call('GET', '/api/export/data-dictionary.csv');
    expect(String(dictionary.body)).toContain('age_at_treatment');

    const audit = await clinic.db.query<{ detail: { kind: string; mode: string } }>(
      `select detail from audit_log where action = 'export' order by id`,
    );
    expect(audit.map((a) => `${a.detail.kind}/${a.detail.mode}`)).toEqual([
      'scores/deidentified',
      'scores/identified',
      'fhir/deidentified',
      'data-dictionary/deidentified',
    ]);

    // Another site's export holds none of Harbour's patients.
    const north = new Client(harness.app);
    await north.signIn('clin@north.test');
    const theirs = await north.call('GET', '/api/export/scores.csv');
    expect(String(theirs.body).trim().split('\n')).toHaveLength(1);
  });

  it('writes a folder export with the FHIR resources as NDJSON, one file per type, as the Bundle holds them', async () => {
    const harness = testApp(clinic.db, testClock('2026-03-02T10:00:00Z'));
    const clinician = new Client(harness.app);
    await clinician.signIn('clin@harbour.test');
    await enrolTreatedPatient(clinician);
    const [harbour] = (await listSites(clinic.db)).filter((s) => s.name.includes('Harbour'));
    if (!harbour) throw new Error('the seeded Harbour site');
    const ctx = { db: clinic.db, now: () => new Date(0), publicUrl: '', views: new ViewCache() };
    const scope = { siteId: harbour.id };
    const folder = await buildExportFolder(ctx, scope, 'deidentified');
    const bundle = JSON.parse((await buildExport(ctx, scope, 'fhir', 'deidentified')).body);
    const resources = bundle.entry.map((e: { resource: unknown }) => e.resource);
    const types = [...new Set(resources.map((r: { resourceType: string }) => r.resourceType))];
    const ndjson = folder.files.filter((f) => f.fileName.endsWith('.ndjson'));
    expect(ndjson.map((f) => f.fileName)).toEqual(types.map((t) => `${t}.ndjson`));
    for (const file of ndjson) {
      const type = file.fileName.replace('.ndjson', '');
      expect(file.body.endsWith('\n')).toBe(true);
      const lines = file.body.trimEnd().split('\n');
      expect(file.count).toBe(lines.length);
      expect(lines.map((l) => JSON.parse(l))).toEqual(
        resources.filter((r: { resourceType: string }) => r.resourceType === type),
      );
    }
    const scores = folder.files.find((f) => f.fileName === 'scores.csv');
    if (!scores) throw new Error('scores.csv in the folder');
    expect(scores.body).toBe((await buildExport(ctx, scope, 'scores', 'deidentified')).body);
    // One row per line here: no cell of the scores file holds a line break.
    expect(scores.count).toBe(scores.body.trimEnd().split('\n').length - 1);
    expect(folder.patients).toBeGreaterThan(0);
  });
});
