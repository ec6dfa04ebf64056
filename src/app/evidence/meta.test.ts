import { describe, expect, it } from 'vitest';
import { DomainError } from '../../core/errors.ts';
import { MAX_META_STUDIES } from '../../core/stats/analysis.ts';
import { runMetaAnalysis } from './meta.ts';

function studiesCsv(count: number): string {
  const rows = Array.from(
    { length: count },
    (_, i) => `S${i},${((i % 17) / 20 - 0.3).toFixed(3)},${(0.02 + (i % 7) / 50).toFixed(3)}`,
  );
  return `study,yi,vi\n${rows.join('\n')}\n`;
}

describe('runMetaAnalysis', () => {
  it(`pools up to ${MAX_META_STUDIES} studies`, () => {
    const reply = runMetaAnalysis({ csv: studiesCsv(MAX_META_STUDIES) });
    expect(reply.result.k).toBe(MAX_META_STUDIES);
    expect(reply.forestSvg).toContain('<svg');
  });

  it('refuses more studies than that, on the field studies, before fitting anything', () => {
    let error: unknown;
    try {
      runMetaAnalysis({ csv: studiesCsv(MAX_META_STUDIES + 1) });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    const refusal = error as DomainError;
    expect(refusal.code).toBe('invalid');
    expect(refusal.fields).toEqual([{ field: 'studies', message: refusal.message }]);
    expect(refusal.message).toContain('2,001 studies');
    expect(refusal.message).toContain('at most 2,000');
  });
});
