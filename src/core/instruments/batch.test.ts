import { describe, expect, it } from 'vitest';
import { generateDemoRegistry } from '../demo/generate.ts';
import { seededRng } from '../demo/random.ts';
import { formatCsv, parseCsv } from '../tabular/csv.ts';
import { scoreTable } from './batch.ts';
import { itemsOf } from './definition.ts';
import { instrumentById } from './library.ts';
import { scoreResponse } from './scoring.ts';

const koos = instrumentById('koos');
const codes = itemsOf(koos).map((i) => i.code);

function tableOf(header: string[], rows: string[][]) {
  const parsed = parseCsv(formatCsv(header, rows));
  expect(parsed.problems).toEqual([]);
  return parsed.table;
}

describe('scoreTable', () => {
  it('scores every demo-registry KOOS response exactly as the survey path does', () => {
    const registry = generateDemoRegistry({
      patients: 40,
      today: '2026-06-01',
      rng: seededRng(11),
    });
    const responses = registry.patients.flatMap((p) =>
      p.responses
        .filter((r) => r.instrumentId === 'koos')
        .map((r, n) => ({ id: `${p.patient.registryId}-${n}`, answers: r.answers })),
    );
    expect(responses.length).toBeGreaterThan(40);
    const rows = responses.map((r) => [
      r.id,
      ...codes.map((c) => (typeof r.answers[c] === 'number' ? String(r.answers[c]) : '')),
    ]);
    const result = scoreTable(koos, tableOf(['id', ...codes], rows));
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.rows).toEqual(
      responses.map((r) => ({
        id: r.id,
        answers: expect.any(Object),
        scores: scoreResponse(koos, r.answers),
      })),
    );
  });

  it('treats an empty cell and an absent column as unanswered', () => {
    const painOnly = ['P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P7', 'P8', 'P9'];
    const result = scoreTable(
      koos,
      tableOf(['id', ...painOnly], [['x', '2', '2', '2', '2', '2', '2', '2', '2', '']]),
    );
    expect(result).toEqual({
      ok: true,
      rows: [
        {
          id: 'x',
          answers: { P1: 2, P2: 2, P3: 2, P4: 2, P5: 2, P6: 2, P7: 2, P8: 2, P9: null },
          scores: { pain: 50, symptoms: null, adl: null, sport: null, qol: null },
        },
      ],
      ignoredColumns: [],
    });
  });

  it('leaves out the columns of other items only when asked, and says which', () => {
    const table = tableOf(['id', 'S1', 'P1', 'SP5', 'Q1'], [['x', '4', '1', '3', '1']]);
    const koos12 = instrumentById('koos-12');
    expect(scoreTable(koos12, table).ok).toBe(false);
    const result = scoreTable(koos12, table, { ignoreOtherColumns: true });
    expect(result).toMatchObject({
      ok: true,
      ignoredColumns: ['S1', 'SP5'],
      rows: [{ id: 'x', answers: { P1: 1, Q1: 1 } }],
    });
  });

  it('reports each bad value with row and column, and scores nothing', () => {
    const table = tableOf(
      ['id', 'P1', 'P2'],
      [
        ['a', '1', '2'],
        ['b', '7', '1'],
        ['c', '1.0e0', 'two'],
      ],
    );
    const result = scoreTable(koos, table);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => [p.row, p.column])).toEqual([
      [3, 'P1'],
      [4, 'P1'],
      [4, 'P2'],
    ]);
    expect(result.problems[0]?.message).toBe('"7" is not one of 0, 1, 2, 3, 4');
  });

  it('refuses a header without id, with an unknown or repeated column, and empty or repeated ids', () => {
    const noId = scoreTable(koos, tableOf(['P1'], [['1']]));
    expect(noId).toMatchObject({ ok: false, problems: [{ row: 1, column: 'id' }] });
    const unknown = scoreTable(koos, tableOf(['id', 'P1', 'PAIN1', 'P1'], [['a', '1', '1', '1']]));
    expect(unknown.ok || unknown.problems.map((p) => p.column)).toEqual(['PAIN1', 'P1']);
    const ids = scoreTable(
      koos,
      tableOf(
        ['id', 'P1'],
        [
          ['a', '1'],
          ['', '1'],
          ['a', '2'],
        ],
      ),
    );
    expect(ids.ok || ids.problems.map((p) => [p.row, p.message])).toEqual([
      [3, 'The id is empty'],
      [4, 'Same id as row 2'],
    ]);
  });
});
