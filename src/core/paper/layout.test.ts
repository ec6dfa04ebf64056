import { describe, expect, it } from 'vitest';
import { instrumentById } from '../instruments/library.ts';
import { A4, layoutPaperForm, type PaperElement, wrapText } from './layout.ts';

// Metrics of a fixed-width face: each character 0.5 em wide (bold 0.55).
const measure = (text: string, size: number, bold: boolean) =>
  text.length * size * (bold ? 0.55 : 0.5);
const geometry = { ...A4, measure };

const texts = (els: PaperElement[]) =>
  els.filter((e): e is Extract<PaperElement, { kind: 'text' }> => e.kind === 'text');
const boxes = (els: PaperElement[]) =>
  els.filter((e): e is Extract<PaperElement, { kind: 'box' }> => e.kind === 'box');

function form(instruments: string[]) {
  return layoutPaperForm(
    {
      title: 'Knee questionnaire: 6 months after treatment',
      details: ['Patient P-0001 · right knee'],
      shortCode: 'K7QM3XPD',
      instruments: instruments.map(instrumentById),
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
});
