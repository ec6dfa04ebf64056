import { describe, expect, it } from 'vitest';
import { CATALOGUES } from '../i18n/catalogues.ts';
import { EN } from '../i18n/en.ts';
import { translator } from '../i18n/translate.ts';
import { instrumentById } from '../instruments/library.ts';
import { instrumentInLanguage } from '../instruments/translation.ts';
import { A4, layoutPaperForm, PAPER_TYPE, type PaperElement, wrapText } from './layout.ts';

// Metrics of a fixed-width face: each character 0.5 em wide (bold 0.55).
const measure = (text: string, size: number, bold: boolean) =>
  text.length * size * (bold ? 0.55 : 0.5);
const geometry = { ...A4, measure };

const texts = (els: PaperElement[]) =>
  els.filter((e): e is Extract<PaperElement, { kind: 'text' }> => e.kind === 'text');
const boxes = (els: PaperElement[]) =>
  els.filter((e): e is Extract<PaperElement, { kind: 'box' }> => e.kind === 'box');

function form(instruments: string[], locale = 'en') {
  const t = translator(locale, CATALOGUES[locale] ?? EN, EN);
  const joint = t('joint.phrase', { side: 'right', joint: t('joint.knee') });
  return layoutPaperForm(
    {
      title: t('paper.title', { joint, timepoint: 'm6' }),
      details: [t('paper.patientNumber', { registryId: 'P-0001' })],
      shortCode: 'K7QM3XPD',
      instruments: instruments.map((id) => instrumentInLanguage(instrumentById(id), locale)),
      t,
      joint,
    },
    geometry,
  );
}

describe('paper form layout', () => {
  it('wraps text to the width and cuts a word longer than a line', () => {
    expect(wrapText('aa bb cc', 5 * 7, 10, false, measure)).toEqual(['aa bb', 'cc']);
    expect(wrapText('abcdefghij', 4 * 5, 10, false, measure)).toEqual(['abcd', 'efgh', 'ij']);
  });

  it('prints the NRS as one horizontal row of 11 numbered boxes with words under its ends', () => {
    const { pages, items } = form(['nrs-pain']);
    expect(items).toEqual([{ instrumentId: 'nrs-pain', code: 'NRS', number: 1 }]);
    const row = boxes(pages[0]?.elements ?? []);
    expect(row).toHaveLength(11);
    expect(new Set(row.map((b) => b.y)).size).toBe(1);
    const xs = row.map((b) => b.x);
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    const words = texts(pages[0]?.elements ?? []).map((t) => t.text);
    expect(words).toContain('No pain');
    expect(words).toContain('Worst pain imaginable');
    for (let n = 0; n <= 10; n++) expect(words).toContain(String(n));
  });

  it('puts Likert answers in a row, every item once, inside the margins, never split', () => {
    const { pages, items } = form(['koos', 'koos-jr']);
    const koos = instrumentById('koos');
    const codes = koos.sections.flatMap((s) => s.items.map((i) => i.code));
    // KOOS JR's items are KOOS items: asked once.
    expect(items.map((i) => i.code)).toEqual(codes);
    expect(pages.length).toBeGreaterThan(1);
    for (const [i, p] of pages.entries()) {
      for (const el of p.elements) {
        const x = el.x;
        expect(x).toBeGreaterThanOrEqual(A4.margin - 0.01);
        if (el.kind === 'text') {
          expect(x + measure(el.text, el.size, el.bold)).toBeLessThanOrEqual(
            A4.width - A4.margin + 0.01,
          );
          expect(el.y).toBeGreaterThanOrEqual(A4.margin - 0.01);
        }
      }
      const footer = texts(p.elements).at(-1);
      expect(footer?.text).toBe(`Form K7QM-3XPD · Page ${i + 1} of ${pages.length}`);
      // Boxes of one item share a row: five per row for KOOS's five answers.
      const rows = new Map<number, number>();
      for (const b of boxes(p.elements)) rows.set(b.y, (rows.get(b.y) ?? 0) + 1);
      for (const n of rows.values()) expect(n).toBe(5);
      // An item's number and its boxes are on the same page.
      const numbers = texts(p.elements).filter((t) => /^\d+\. /.test(t.text)).length;
      expect(rows.size).toBe(numbers);
    }
  });

  it('puts the QR code and the form code on the first page only', () => {
    const { pages } = form(['nrs-pain', 'koos']);
    expect(pages[0]?.elements.filter((e) => e.kind === 'qr')).toHaveLength(1);
    expect(
      pages
        .slice(1)
        .flatMap((p) => p.elements)
        .filter((e) => e.kind === 'qr'),
    ).toHaveLength(0);
    expect(texts(pages[0]?.elements ?? []).map((t) => t.text)).toContain('Form code: K7QM-3XPD');
  });

  it('takes its own words and headings from the catalogue, counting the questions', () => {
    const { pages } = form(['nrs-pain', 'koos-jr']);
    const words = pages.flatMap((p) => texts(p.elements).map((t) => t.text)).join(' ');
    expect(words).toContain('Pain in your right knee');
    // One NRS item and KOOS JR's seven.
    expect(words).toContain('for each of the 8 questions');
    const one = form(['nrs-pain']);
    const first = one.pages.flatMap((p) => texts(p.elements).map((t) => t.text)).join(' ');
    expect(first).toContain('for each of the 1 question,');
  });

  it('never leaves a heading at the foot of a page, away from its first question', () => {
    const sets = [['nrs-pain', 'koos'], ['hoos'], ['koos-12'], ['promis-global-10', 'hoos-jr']];
    for (const [locale, instruments] of ['en', 'en-XA'].flatMap((l) =>
      sets.map((i) => [l, i] as const),
    )) {
      const { pages } = form([...instruments], locale);
      for (const p of pages) {
        const body = texts(p.elements).slice(0, -1);
        const last = body.at(-1);
        expect(last?.size, `${locale}: ${last?.text}`).not.toBe(PAPER_TYPE.heading);
      }
    }
  });

  it('in the en-XA pseudo-locale prints no English word but codes and numbers', () => {
    const { pages } = form(['nrs-pain', 'koos'], 'en-XA');
    for (const p of pages) {
      for (const el of texts(p.elements)) {
        // Item codes ([P1]), the form code and the patient number are not words.
        const rest = el.text.replace(/\[[A-Z0-9]+\]|K7QM-3XPD|P-0001/g, '');
        expect(rest, el.text).not.toMatch(/[A-Za-z]/);
      }
    }
    const first = texts(pages[0]?.elements ?? []).map((t) => t.text);
    expect(first).toContain('[Ƒóŕɱ çóðé: ~~~K7QM-3XPD]');
    expect(texts(pages.at(-1)?.elements ?? []).at(-1)?.text).toBe(
      `[Ƒóŕɱ ~~K7QM-3XPD · Þáĝé ~~${pages.length} óƒ ~${pages.length}]`,
    );
  });
});
