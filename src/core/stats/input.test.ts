import { describe, expect, it } from 'vitest';
import { parseCsv } from '../tabular/csv.ts';
import { studiesFromTable } from './input.ts';

const table = (text: string) => parseCsv(text).table;

describe('studiesFromTable', () => {
  it('reads given effects (GEN) and arm data (MD by default), with an optional subgroup', () => {
    expect(studiesFromTable(table('study,yi,vi\nA,-0.5,0.04\nB,1e-1,.25\n'))).toEqual({
      ok: true,
      measure: 'GEN',
      studies: [
        { study: 'A', yi: -0.5, vi: 0.04 },
        { study: 'B', yi: 0.1, vi: 0.25 },
      ],
    });
    const arms = studiesFromTable(
      table('study,n1,mean1,sd1,n2,mean2,sd2,subgroup\nA,10,3,2,10,5,2,BM-MSC\n'),
    );
    expect(arms).toEqual({
      ok: true,
      measure: 'MD',
      studies: [{ study: 'A', yi: -2, vi: 0.8, subgroup: 'BM-MSC' }],
    });
  });

  it('names the row and column of each bad cell', () => {
    const result = studiesFromTable(
      table('study,n1,mean1,sd1,n2,mean2,sd2\nA,10,3,x,10,5,2\n,10,3,2,10,5,2\nC,0,3,2,10,5,-1\n'),
      'SMD',
    );
    expect(result.ok || result.problems).toEqual([
      { row: 2, column: 'sd1', message: '"x" is not a number' },
      { row: 3, column: 'study', message: 'The study name is empty' },
      { row: 4, column: 'n1', message: 'n1 must be a whole number of at least 2' },
    ]);
  });

  it('refuses an unknown header, a measure that does not fit the columns, and an empty file', () => {
    expect(studiesFromTable(table('trial,effect\nA,1\n')).ok).toBe(false);
    const wrong = studiesFromTable(table('study,yi,vi\nA,1,1\n'), 'SMD');
    expect(wrong.ok || wrong.problems[0]?.message).toContain('needs arm columns');
    const extra = studiesFromTable(table('study,yi,vi,weight\nA,1,1,3\n'));
    expect(extra.ok || extra.problems).toEqual([
      { row: 1, column: 'weight', message: 'Unknown column' },
    ]);
    const empty = studiesFromTable(table('study,yi,vi\n'));
    expect(empty.ok || empty.problems[0]?.message).toBe('The file has no studies');
    const zero = studiesFromTable(table('study,yi,vi\nA,1,0\n'));
    expect(zero.ok || zero.problems).toEqual([
      { row: 2, column: 'vi', message: 'vi must be positive' },
    ]);
  });
});
