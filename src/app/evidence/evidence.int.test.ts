import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRIAL_COLUMNS } from '../../core/evidence/trials.ts';
import { MAX_META_STUDIES } from '../../core/stats/analysis.ts';
import { formatCsv } from '../../core/tabular/csv.ts';
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
import { importEvidence } from './evidence.ts';

/** Two invented trials with full arm data at 12 months (VAS 0–100), in the shipped CSV shape. */
function inventedTrials(): string {
  const row = (
    study: string,
    arm: string,
    role: string,
    product: string,
    value: string,
    n: string,
  ) => {
    const cells: Record<string, string> = {
      study,
      doi_or_nct: 'NCT00000000',
      arm,
      arm_role: role,
      product,
      n_analyzed: n,
      outcome: 'VAS_0_100',
      scale_direction: 'higher_worse',
      timepoint_months: '12',
      stat: 'mean_sd',
      value,
      spread_low_or_sd: '20',
      source_url: 'https://example.org/invented-for-tests',
      verified: 'yes',
    };
    return TRIAL_COLUMNS.map((c) => cells[c] ?? '');
  };
  return formatCsv(
    [...TRIAL_COLUMNS],
    [
      row('Invented A', 'Cells', 'intervention', 'BM-MSC', '30', '20'),
      row('Invented A', 'Saline', 'control', 'SALINE', '40', '20'),
      row('Invented B', 'Cells', 'intervention', 'AD-MSC', '35', '30'),
      row('Invented B', 'Saline', 'control', 'SALINE', '38', '30'),
    ],
  );
}

describe.each(backends())('evidence on $name', (backend) => {
  let db: Db;
  let harness: ReturnType<typeof testApp>;

  beforeAll(async () => {
    db = await backend.open();
    await seedTwoSites(db);
    harness = testApp(db, testClock());
  });
  afterAll(async () => {
    await db.close();
  });

  it('serves the shipped evidence without a login, refusing to pool what cannot be pooled', async () => {
    const reply = await new Client(harness.app).call('GET', '/api/evidence');
    expect(reply.status).toBe(200);
    expect(reply.body.studies.map((s: { study: string }) => s.study)).toEqual([
      'Kuah 2018',
      'Lamo-Espinosa 2016',
      'Lamo-Espinosa 2020',
      'Ruane 2021',
    ]);
    expect(reply.body.summaries).toHaveLength(15);
    expect(reply.body.pooled.every((p: { result: unknown }) => p.result === null)).toBe(true);
  });

  it('imports trials from CSV (re-import replaces), pools them, and draws the forest plot', async () => {
    expect(await importEvidence(harness.ctx, 'invented.csv', inventedTrials())).toEqual({
      imported: 4,
      refused: [],
    });
    expect(await importEvidence(harness.ctx, 'invented.csv', inventedTrials())).toEqual({
      imported: 4,
      refused: [],
    });
    const [{ n }] = (await db.query<{ n: number }>(
      'select count(*)::int as n from evidence_trial_arms',
    )) as [{ n: number }];
    expect(n).toBe(4);
    const reply = await new Client(harness.app).call('GET', '/api/evidence');
    const vas12 = reply.body.pooled.find(
      (p: { scale: string; timepointMonths: number }) =>
        p.scale === 'VAS_0_10' && p.timepointMonths === 12,
    );
    expect(vas12.result.k).toBe(2);
    expect(vas12.forestSvg).toContain('Invented A');
  });

  it('refuses a bad import file whole, writing nothing', async () => {
    const bad = inventedTrials().replace(
      'Invented B,NCT00000000,Cells,intervention',
      'Invented C,NCT00000000,Cells,treatment',
    );
    await expect(importEvidence(harness.ctx, 'bad.csv', bad)).rejects.toMatchObject({
      code: 'invalid',
      fields: [
        { field: 'row 4, column arm_role', message: 'Must be one of intervention, control' },
      ],
    });
    const rows = await db.query<{ study: string }>(
      "select study from evidence_trial_arms where study = 'Invented C'",
    );
    expect(rows).toEqual([]);
    await expect(importEvidence(harness.ctx, 'x.json', '{"studies": []}')).rejects.toMatchObject({
      code: 'invalid',
    });
  });

  it("shows a site its own patients' pain change beside the evidence, and nothing of another site's", async () => {
    const clinician = new Client(harness.app);
    await clinician.signIn('clin@harbour.test');
    const { episodeId } = await enrolTreatedPatient(clinician); // BMAC on 2026-03-02
    const answer = async (timepoint: string, on: string, nrs: number) => {
      // Issued ahead of its window, to be answered later on the clock below.
      const issued = await clinician.call('POST', `/api/episodes/${episodeId}/surveys`, {
        timepoint,
        confirmOutsideWindow: true,
      });
      expect(issued.status).toBe(201);
      const at = testApp(db, testClock(on));
      const reply = await new Client(at.app).call(
        'POST',
        `/api/survey/${tokenOf(issued.body.url)}/submit`,
        {
          answers: { 'nrs-pain': { NRS: nrs } },
        },
      );
      expect(reply.status).toBe(201);
    };
    await answer('baseline', '2026-03-02T10:00:00Z', 7);
    await answer('m6', '2026-03-02T11:00:00Z', 4);

    const mine = await clinician.call('GET', '/api/evidence/registry');
    expect(mine.status).toBe(200);
    const six = mine.body.comparisons[0];
    expect(six.months).toBe(6);
    expect(six.registry).toMatchObject({ estimate: -3, ciLower: null });
    expect(six.registry.meaning).toContain('not a treatment effect');
    expect(six.placebo.length).toBeGreaterThan(0);

    const other = new Client(harness.app);
    await other.signIn('clin@north.test');
    const theirs = await other.call('GET', '/api/evidence/registry');
    expect(theirs.body.comparisons[0].registry.estimate).toBeNull();
    expect((await new Client(harness.app).call('GET', '/api/evidence/registry')).status).toBe(401);
  });

  it('runs a meta-analysis of posted CSV for a signed-in user, naming bad cells', async () => {
    const user = new Client(harness.app);
    await user.signIn('research@harbour.test');
    const csv = readFileSync(
      new URL('../../core/stats/fixtures/ref01.csv', import.meta.url),
      'utf8',
    );
    const want = JSON.parse(
      readFileSync(new URL('../../core/stats/fixtures/ref01.json', import.meta.url), 'utf8'),
    ).fits['DL/knha'];
    const reply = await user.call('POST', '/api/meta', { csv, method: 'DL', ci: 'knha' });
    expect(reply.status).toBe(200);
    expect(reply.body.result.estimate).toBeCloseTo(want.estimate, 8);
    expect(reply.body.result.piUpper).toBeCloseTo(want.piUpper, 8);
    expect(reply.body.forestSvg).toContain('<svg');
    expect(reply.body.funnelSvg).toContain('<circle');
    const bad = await user.call('POST', '/api/meta', {
      csv: 'study,yi,vi\nA,1,-1\n',
      method: 'ML',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toEqual([expect.objectContaining({ field: 'method' })]);
    const badCell = await user.call('POST', '/api/meta', { csv: 'study,yi,vi\nA,1,-1\n' });
    expect(badCell.body.error.fields).toEqual([
      { field: 'csv row 2, column vi', message: 'vi must be positive' },
    ]);
    expect((await new Client(harness.app).call('POST', '/api/meta', { csv })).status).toBe(401);
  });

  it(`refuses a meta-analysis of more than ${MAX_META_STUDIES} studies with a 400 naming studies`, async () => {
    const user = new Client(harness.app);
    await user.signIn('research@harbour.test');
    const rows = Array.from({ length: MAX_META_STUDIES + 1 }, (_, i) => `S${i},0.${i % 10},0.05`);
    const reply = await user.call('POST', '/api/meta', {
      csv: `study,yi,vi\n${rows.join('\n')}\n`,
    });
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe('invalid');
    expect(reply.body.error.fields).toEqual([
      { field: 'studies', message: expect.stringContaining(`at most 2,000`) },
    ]);
  });
});
