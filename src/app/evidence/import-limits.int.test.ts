import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../core/tabular/csv.ts';
import type { Db } from '../../store/db.ts';
import { backends } from '../../testing/databases.ts';
import { testApp } from '../../testing/http.ts';
import { importEvidence, MAX_EVIDENCE_IMPORT_BYTES } from './evidence.ts';

const HEADER =
  'study,doi_or_nct,arm,arm_role,product,cell_dose,n_randomized,n_analyzed,outcome,scale_direction,timepoint_months,stat,value,spread_low_or_sd,spread_high,source_url,source_location,verified';
const row = (study: string, url: string) =>
  `${study},,Cells,intervention,BMAC,,20,20,VAS_0_100,higher_worse,12,mean_sd,30,10,,${url},Table 2,yes`;

describe.each(backends())('evidence imports within limits on $name', (backend) => {
  let db: Db;
  let harness: ReturnType<typeof testApp>;
  beforeAll(async () => {
    db = await backend.open();
    harness = testApp(db);
  });
  afterAll(async () => {
    await db.close();
  });

  it('refuses a source URL that is not a web address, naming the row and field', async () => {
    const csv = [
      HEADER,
      row('Invented A', 'https://example.org/a'),
      row('Invented B', 'javascript:alert(1)'),
      row('Invented C', 'vbscript:msgbox(1)'),
    ].join('\n');
    await expect(importEvidence(harness.ctx, 'links.csv', csv)).rejects.toMatchObject({
      code: 'invalid',
      fields: [
        { field: 'row 3, column source_url', message: expect.stringMatching(/https:\/\//) },
        { field: 'row 4, column source_url', message: expect.stringMatching(/https:\/\//) },
      ],
    });
    const [{ n }] = (await db.query<{ n: number }>(
      'select count(*)::int as n from evidence_trial_arms',
    )) as [{ n: number }];
    expect(n).toBe(0);
    expect(
      await importEvidence(
        harness.ctx,
        'ok.csv',
        [HEADER, row('Invented A', 'http://example.org/a')].join('\n'),
      ),
    ).toMatchObject({ imported: 1 });
  });

  it('refuses a file over the size limit, saying the limit, before parsing it', async () => {
    const line = `${row('Invented Big', 'https://example.org/big')}\n`;
    const big = `${HEADER}\n${line.repeat(Math.ceil((MAX_EVIDENCE_IMPORT_BYTES + 1) / line.length))}`;
    await expect(importEvidence(harness.ctx, 'big.csv', big)).rejects.toMatchObject({
      code: 'invalid',
      message: expect.stringMatching(/big\.csv is 5\.\d MB; at most 5\.0 MB/),
    });
  });

  it('lists at most 100 problems of a file wrong on every row', async () => {
    const csv = [HEADER, ...Array.from({ length: 500 }, (_, i) => row(`S${i}`, 'ftp://x'))].join(
      '\n',
    );
    const error = await importEvidence(harness.ctx, 'wrong.csv', csv).catch((e: unknown) => e);
    const fields = (error as { fields: { field: string; message: string }[] }).fields;
    expect(fields).toHaveLength(101);
    expect(fields.at(-1)).toEqual({ field: 'file', message: 'and 400 more problem(s)' });
  });

  it('parses a file at the limit in little more memory than the file itself', () => {
    const line = `${row('Invented Big', 'https://example.org/big')}\n`;
    const text = `${HEADER}\n${line.repeat(Math.floor(MAX_EVIDENCE_IMPORT_BYTES / line.length))}`;
    const cells = parseCsv(text).table.rows.length * 18;
    // Sliced cells share the file's characters; a cell built per character costs ~30 bytes a character.
    const before = process.memoryUsage().heapUsed;
    const parsed = parseCsv(text);
    const used = process.memoryUsage().heapUsed - before;
    expect(parsed.table.rows.length * 18).toBe(cells);
    expect(used).toBeLessThan(20 * text.length);
  });
});
