import { describe, expect, it } from 'vitest';
import { hasLoincCheckDigit, instrumentDefinitionSchema, itemsOf } from './definition.ts';
import koosFile from './definitions/koos.json' with { type: 'json' };
import koos12File from './definitions/koos-12.json' with { type: 'json' };
import koosJrFile from './definitions/koos-jr.json' with { type: 'json' };
import promisFile from './definitions/promis-global-10.json' with { type: 'json' };
import { BUILT_IN_INSTRUMENTS, defaultInstrumentsFor, instrumentById } from './library.ts';

describe('instrument definitions', () => {
  it('ships KOOS with its 42 items in five subscales', () => {
    const koos = instrumentById('koos');
    expect(itemsOf(koos)).toHaveLength(42);
    expect(Object.fromEntries(koos.scales.map((s) => [s.id, s.items.length]))).toEqual({
      pain: 9,
      symptoms: 7,
      adl: 17,
      sport: 5,
      qol: 4,
    });
  });

  it('gives every built-in instrument a source, terms of use and a missing-item rule per scale', () => {
    for (const def of BUILT_IN_INSTRUMENTS) {
      expect(def.source.length).toBeGreaterThan(20);
      expect(def.termsOfUse.length).toBeGreaterThan(5);
      for (const scale of def.scales) expect(scale.missingRule.length).toBeGreaterThan(10);
    }
  });

  it('offers NRS + the joint PROM (KOOS, HOOS), NRS alone where none ships; KOOS-12 and PROMIS-10 are opt-in', () => {
    expect(defaultInstrumentsFor('knee')).toEqual(['nrs-pain', 'koos']);
    expect(defaultInstrumentsFor('hip')).toEqual(['nrs-pain', 'hoos']);
    expect(defaultInstrumentsFor('shoulder')).toEqual(['nrs-pain']);
  });

  it('rejects a definition whose scale names an unknown item, with the path of the mistake', () => {
    const broken = structuredClone(koosFile);
    broken.scales[0]?.items.push('P99');
    const result = instrumentDefinitionSchema.safeParse(broken);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => [i.path.join('.'), i.message])).toContainEqual([
      'scales.0.items.9',
      'Scale pain names unknown item P99',
    ]);
  });

  it('rejects duplicate item codes, unknown response sets and impossible thresholds', () => {
    const broken = structuredClone(koosFile);
    const firstSection = broken.sections[0];
    if (!firstSection?.items[0] || !firstSection.items[1] || !broken.scales[4])
      throw new Error('fixture shape');
    firstSection.items[1].code = firstSection.items[0].code;
    firstSection.items[0].responseSet = 'nope';
    broken.scales[4].minAnswered = 5;
    const messages =
      instrumentDefinitionSchema.safeParse(broken).error?.issues.map((i) => i.message) ?? [];
    expect(messages).toEqual(
      expect.arrayContaining([
        'Item code S1 appears twice',
        'Unknown response set nope',
        'minAnswered exceeds the number of items in the scale',
      ]),
    );
  });

  it('checks each LOINC code’s check digit, on the form, its items and its scores', () => {
    // 82324-5 (KOOS JR), 72514-3 (NRS) and 72102-7 (KOOS Pain) are real; one digit off is not.
    for (const code of ['82324-5', '72514-3', '72102-7', '82332-8'])
      expect(hasLoincCheckDigit(code)).toBe(true);
    for (const code of ['82324-4', '72514-8', '7210-27', '72102'])
      expect(hasLoincCheckDigit(code)).toBe(false);
    const broken = structuredClone(koosJrFile);
    broken.loinc.code = '82324-6';
    const firstItem = broken.sections[0]?.items[0];
    if (!firstItem || !broken.scales[0]) throw new Error('fixture shape');
    firstItem.loinc = '82325-3';
    broken.scales[0].loinc.code = '82332-1';
    const issues = instrumentDefinitionSchema.safeParse(broken).error?.issues ?? [];
    expect(issues.map((i) => i.path.join('.'))).toEqual([
      'loinc.code',
      'sections.0.items.0.loinc',
      'scales.0.loinc.code',
    ]);
  });

  it('rejects a mean-of-scales scale over an unknown or later scale, and thresholds off the scale', () => {
    const broken = structuredClone(koos12File) as unknown as {
      scales: {
        method: { scales?: string[] };
        interpretation?: unknown;
      }[];
    };
    const summary = broken.scales[3];
    const pain = broken.scales[0];
    if (!summary?.method.scales || !pain) throw new Error('fixture shape');
    summary.method.scales = ['pain', 'nope'];
    broken.scales.unshift(broken.scales.splice(3, 1)[0] as (typeof broken.scales)[number]);
    pain.interpretation = {
      mcid: { value: 120, population: 'p', source: 's' },
      pass: { value: 101, population: 'p', source: 's' },
    };
    const issues = instrumentDefinitionSchema.safeParse(broken).error?.issues ?? [];
    expect(issues.map((i) => [i.path.join('.'), i.message])).toEqual(
      expect.arrayContaining([
        [
          'scales.0.method.scales.0',
          'Scale summary averages pain, which must be an item-scored scale listed before it',
        ],
        [
          'scales.0.method.scales.1',
          'Scale summary averages nope, which must be an item-scored scale listed before it',
        ],
        [
          'scales.1.interpretation.pass.value',
          "A PASS of 101 lies outside the scale's range 0–100",
        ],
        [
          'scales.1.interpretation.mcid.value',
          "An MCID of 120 is larger than the scale's whole range 0–100",
        ],
      ]),
    );
  });

  it('rejects a summed-table scale with a missing table row, a missing recoding or an optional item', () => {
    const broken = structuredClone(promisFile) as unknown as {
      scales: {
        minAnswered: number;
        method: { table: Record<string, number>; recode?: Record<string, Record<string, number>> };
      }[];
    };
    const [physical, mental] = broken.scales;
    if (!physical?.method.recode?.Global07r || !mental) throw new Error('fixture shape');
    delete physical.method.recode.Global07r['10'];
    delete mental.method.table['13'];
    mental.minAnswered = 3;
    const issues = instrumentDefinitionSchema.safeParse(broken).error?.issues ?? [];
    expect(issues.map((i) => [i.path.join('.'), i.message])).toEqual(
      expect.arrayContaining([
        ['scales.0.method.recode.Global07r', 'No recoded value for answer 10 of Global07r'],
        ['scales.1.method.table', 'The table has no row for the raw sum 13 (possible sums 4–20)'],
        [
          'scales.1.minAnswered',
          'A summed-table scale needs every item: minAnswered must equal the item count',
        ],
      ]),
    );
  });
});
