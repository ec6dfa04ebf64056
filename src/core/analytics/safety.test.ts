import { describe, expect, it } from 'vitest';
import reference from '../stats/fixtures/survival.json' with { type: 'json' };
import { safetySummary, type TreatmentWithEvents } from './safety.ts';

const treatment = (
  productClass: string,
  events: TreatmentWithEvents['events'] = [],
  treatmentDate = '2026-03-02',
): TreatmentWithEvents => ({
  treatmentId: `${productClass}-${Math.random()}`,
  productClass,
  treatmentDate,
  events,
});
const event = (over: Partial<TreatmentWithEvents['events'][number]> = {}) => ({
  onsetDate: '2026-03-05',
  grade: 1,
  serious: false,
  relatedness: 'possible',
  description: 'Post-injection flare',
  ...over,
});

describe('safetySummary', () => {
  it('counts treatments with events per product, with R binom.test exact CIs', () => {
    // 7 of 20 BMAC treatments with an event: the (7, 20) case of survival.json.
    const bmac = [
      ...Array.from({ length: 7 }, () => treatment('BMAC', [event(), event({ grade: 2 })])),
      ...Array.from({ length: 13 }, () => treatment('BMAC')),
    ];
    const prp = Array.from({ length: 10 }, () => treatment('PRP'));
    const { byProduct } = safetySummary([...prp, ...bmac]);
    expect(byProduct.map((p) => p.productClass)).toEqual(['BMAC', 'PRP']);
    const [b, p] = byProduct;
    const ref = (x: number, n: number) =>
      reference.clopperPearson.find((c) => c.x === x && c.n === n);
    expect(b?.treatments).toBe(20);
    expect(b?.events).toBe(14);
    expect(b?.anyEvent.count).toBe(7);
    expect(b?.anyEvent.share).toBe(0.35);
    expect(b?.anyEvent.lower).toBeCloseTo(ref(7, 20)?.lower ?? Number.NaN, 9);
    expect(b?.anyEvent.upper).toBeCloseTo(ref(7, 20)?.upper ?? Number.NaN, 9);
    // None in 10 PRP treatments still has an upper bound: the (0, 10) case.
    expect(p?.anyEvent).toMatchObject({ count: 0, share: 0, lower: 0 });
    expect(p?.anyEvent.upper).toBeCloseTo(ref(0, 10)?.upper ?? Number.NaN, 9);
  });

  it('lists serious events with days from treatment; related means possible or stronger', () => {
    const rows = [
      treatment('BM-MSC', [
        event({ serious: true, grade: 3, onsetDate: '2026-03-12', relatedness: 'probable' }),
      ]),
      treatment('BM-MSC', [event({ relatedness: 'unlikely' })]),
      treatment('BM-MSC', [event({ relatedness: 'not-related', serious: true, grade: 4 })]),
    ];
    const { byProduct, serious } = safetySummary(rows);
    expect(byProduct[0]).toMatchObject({
      anyEvent: { count: 3 },
      serious: { count: 2 },
      related: { count: 1 },
    });
    expect(serious.map((s) => [s.onsetDate, s.daysAfterTreatment, s.grade])).toEqual([
      ['2026-03-05', 3, 4],
      ['2026-03-12', 10, 3],
    ]);
  });
});
