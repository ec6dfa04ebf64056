import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ProductEventCounts,
  RELATEDNESS_COUNTED_AS_RELATED,
} from '../../core/analytics/safety.ts';
import { productEventCounts, treatmentsInCohort } from '../../store/adverse-events.repo.ts';
import { sqlParams } from '../../store/analytics.repo.ts';
import type { Db } from '../../store/db.ts';
import { backends, twoSiteDatabase } from '../../testing/databases.ts';
import { Client, enrolTreatedPatient, testApp, testClock } from '../../testing/http.ts';
import { seedDemoRegistry } from '../demo.ts';

describe.each(backends())('adverse events on $name', (backend) => {
  const clinic = twoSiteDatabase(backend);

  it('records events after a treatment, shows them on the record and in the safety report', async () => {
    const harness = testApp(clinic.db, testClock('2026-05-01T10:00:00Z'));
    const clinician = new Client(harness.app);
    await clinician.signIn('clin@harbour.test');
    const { patientId, episodeId, treatment } = await enrolTreatedPatient(clinician);
    const treatmentId = treatment.body.id as string;
    const record = (body: Record<string, unknown>) =>
      clinician.call('POST', `/api/episodes/${episodeId}/adverse-events`, {
        treatmentId,
        onsetDate: '2026-03-04',
        description: 'Knee effusion, aspirated',
        grade: 2,
        serious: false,
        relatedness: 'probable',
        ...body,
      });

    const flare = await record({});
    expect(flare.status).toBe(201);
    const septic = await record({
      onsetDate: '2026-03-09',
      description: 'Septic arthritis <script>alert(1)</script>',
      grade: 3,
      serious: true,
      relatedness: 'possible',
    });
    expect(septic.status).toBe(201);

    const bad = await record({ onsetDate: '2026-02-01', grade: 7, relatedness: 'maybe' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.map((f: { field: string }) => f.field).sort()).toEqual([
      'grade',
      'relatedness',
    ]);
    const beforeTreatment = await record({ onsetDate: '2026-02-01' });
    expect(beforeTreatment.status).toBe(400);
    expect(beforeTreatment.body.error.fields[0].field).toBe('onsetDate');
    const notThisJoint = await record({ treatmentId: '00000000-0000-4000-8000-000000000000' });
    expect(notThisJoint.status).toBe(400);

    const patientRecord = await clinician.call('GET', `/api/patients/${patientId}`);
    expect(patientRecord.body.adverseEvents.map((e: { grade: number }) => e.grade)).toEqual([2, 3]);

    const safety = await clinician.call('GET', '/api/report/safety');
    expect(safety.status).toBe(200);
    const bmac = safety.body.byProduct.find(
      (p: { productClass: string }) => p.productClass === 'BMAC',
    );
    expect(bmac.anyEvent.count).toBe(1);
    expect(bmac.serious.count).toBe(1);
    expect(bmac.events).toBe(2);
    expect(bmac.anyEvent.upper).toBeLessThanOrEqual(1);
    expect(safety.body.serious).toEqual([
      expect.objectContaining({
        productClass: 'BMAC',
        onsetDate: '2026-03-09',
        daysAfterTreatment: 7,
        description: 'Septic arthritis <script>alert(1)</script>',
      }),
    ]);

    // Another site sees neither the joint nor the events.
    const other = new Client(harness.app);
    await other.signIn('clin@north.test');
    expect(
      (
        await other.call('POST', `/api/episodes/${episodeId}/adverse-events`, {
          treatmentId,
          onsetDate: '2026-03-04',
          description: 'x',
          grade: 1,
          serious: false,
          relatedness: 'unlikely',
        })
      ).status,
    ).toBe(404);
    const theirs = await other.call('GET', '/api/report/safety');
    expect(theirs.body.serious).toEqual([]);
    // Researchers read the report but cannot record events.
    const researcher = new Client(harness.app);
    await researcher.signIn('research@harbour.test');
    expect((await researcher.call('GET', '/api/report/safety')).status).toBe(200);
    expect(
      (await researcher.call('POST', `/api/episodes/${episodeId}/adverse-events`, {})).status,
    ).toBe(403);
  });
});

describe.each(backends())('adverse events counted per product on $name', (backend) => {
  let db: Db;
  beforeAll(async () => {
    db = await backend.open();
    await seedDemoRegistry(db, { seed: 11, patients: 150, now: new Date('2026-11-01T12:00:00Z') });
  });
  afterAll(async () => {
    await db.close();
  });

  it('are what grouping every treatment with its events gives, for each cohort', async () => {
    const related = RELATEDNESS_COUNTED_AS_RELATED;
    const sites = await db.query<{ id: string }>('select id from sites order by name');
    for (const site of sites)
      for (const cohort of [{}, { joint: 'knee' }, { productClass: 'PRP', sex: 'female' }]) {
        const byProduct = (rows: ProductEventCounts[]) =>
          [...rows].sort((a, b) => a.productClass.localeCompare(b.productClass));
        const counted = byProduct(await productEventCounts(db, site.id, related, cohort));
        // The reference: each treatment with its events, then per product.
        const { params, bind } = sqlParams([site.id, related]);
        const reference = await db.query<ProductEventCounts>(
          `with per_treatment as (
             select t.product_class, t.id, count(a.id)::int as events,
                    coalesce(bool_or(a.serious), false) as serious,
                    coalesce(bool_or(a.relatedness = any($2::text[])), false) as related
             from treatments t left join adverse_events a on a.treatment_id = t.id
             where t.site_id = $1 ${treatmentsInCohort(cohort, bind)}
             group by t.product_class, t.id
           )
           select product_class as "productClass", count(*)::int as treatments,
                  (count(*) filter (where events > 0))::int as "withEvent",
                  (count(*) filter (where serious))::int as "withSerious",
                  (count(*) filter (where related))::int as "withRelated",
                  sum(events)::int as events
           from per_treatment group by product_class`,
          params,
        );
        expect(counted, JSON.stringify(cohort)).toEqual(byProduct(reference));
        if (Object.keys(cohort).length === 0)
          // The demo records events, some judged related, so the comparison is not empty.
          expect(
            counted.some((c) => c.withEvent > 0) && counted.some((c) => c.withRelated > 0),
          ).toBe(true);
      }
  });
});
