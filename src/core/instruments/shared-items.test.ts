import { describe, expect, it } from 'vitest';
import { itemsOf } from './definition.ts';
import { instrumentById } from './library.ts';
import { scoreResponse } from './scoring.ts';
import { askedWithin, repeatedItems, withRepeatedAnswers } from './shared-items.ts';

const koos = instrumentById('koos');
const koosJr = instrumentById('koos-jr');
const koos12 = instrumentById('koos-12');
const nrs = instrumentById('nrs-pain');

describe('items a survey asks once', () => {
  it('finds every KOOS JR and KOOS-12 item inside KOOS, and nothing in unrelated forms', () => {
    const repeated = repeatedItems([nrs, koos, koosJr, koos12]);
    expect([...(repeated.get('koos-jr')?.keys() ?? [])]).toEqual(
      itemsOf(koosJr).map((i) => i.code),
    );
    expect([...(repeated.get('koos-12')?.values() ?? [])]).toEqual(Array(12).fill('koos'));
    expect(repeated.has('koos')).toBe(false);
    expect(repeated.has('nrs-pain')).toBe(false);
    // Without KOOS the short forms share their common items with whichever is asked first.
    expect([...(repeatedItems([koosJr, koos12]).get('koos-12')?.keys() ?? [])]).toEqual([
      'P6',
      'A3',
    ]);
  });

  it('does not share an item whose wording or answers differ', () => {
    const reworded = structuredClone(koosJr);
    const first = reworded.sections[0]?.items[0];
    if (!first) throw new Error('fixture shape');
    first.text = 'How stiff is your knee in the morning?';
    expect(repeatedItems([koos, reworded]).get('koos-jr')?.has('S6')).toBe(false);
  });

  it('scores the short form from the answers given once, as if it had been asked', () => {
    const given = Object.fromEntries(itemsOf(koos).map((item, n) => [item.code, n % 5]));
    const filled = withRepeatedAnswers([koos, koosJr], { koos: given });
    expect(filled.koos).toEqual(given);
    expect(scoreResponse(koosJr, filled['koos-jr'] ?? {})).toEqual(scoreResponse(koosJr, given));
    // An unanswered KOOS item stays unanswered in KOOS JR.
    const skipped = withRepeatedAnswers([koos, koosJr], { koos: { ...given, P2: null } });
    expect(skipped['koos-jr']?.P2).toBeNull();
  });

  it('names the full form that holds every item of a short form', () => {
    const all = [nrs, koos, koosJr, koos12, instrumentById('hoos'), instrumentById('hoos-jr')];
    expect(askedWithin(koosJr, all)).toEqual(['koos']);
    expect(askedWithin(koos12, all)).toEqual(['koos']);
    expect(askedWithin(instrumentById('hoos-jr'), all)).toEqual(['hoos']);
    expect(askedWithin(koos, all)).toEqual([]);
  });
});
