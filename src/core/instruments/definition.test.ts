import { describe, expect, it } from 'vitest';
import { instrumentDefinitionSchema, itemsOf } from './definition.ts';
import koosFile from './definitions/koos.json' with { type: 'json' };
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

  it('offers NRS + KOOS for a knee and NRS alone where no joint PROM ships yet', () => {
    expect(defaultInstrumentsFor('knee')).toEqual(['nrs-pain', 'koos']);
    expect(defaultInstrumentsFor('hip')).toEqual(['nrs-pain']);
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
});
