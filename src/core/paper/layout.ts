/**
 * Where everything goes on a printed questionnaire, decided here without a PDF library: the app
 * layer draws these elements with pdf-lib. Text width comes in as `measure`, so the layout is
 * pure and tested with any font metrics.
 */

import type { Translate } from '../i18n/translate.ts';
import type { InstrumentDefinition } from '../instruments/definition.ts';
import { numericScale } from '../instruments/numeric-scale.ts';
import { sectionHeading } from '../instruments/patient-wording.ts';
import { repeatedItems } from '../instruments/shared-items.ts';
import { formatShortCode } from './short-code.ts';

/** Type sizes in points: large for older readers and poor eyesight, footer and codes smaller. */
export const PAPER_TYPE = { title: 20, heading: 16, body: 14, option: 13, small: 10 } as const;
/** A tick box's side in points (72 pt = 1 inch): about 7 mm, easy to mark with a pen. */
const BOX = 20;
/** The QR code's side in points (about 34 mm), well above what phone cameras read from a page. */
export const QR_SIZE = 96;
/** A Likert row is kept only when each option gets at least this width; else a column of boxes. */
const MIN_COLUMN = 60;

export type PaperElement =
  | { kind: 'text'; x: number; y: number; size: number; bold: boolean; text: string }
  | { kind: 'box'; x: number; y: number; size: number }
  | { kind: 'qr'; x: number; y: number; size: number }
  | { kind: 'rule'; x: number; y: number; width: number };

export interface PaperPage {
  elements: PaperElement[];
}

export interface PaperFormContent {
  /** e.g. "Questionnaire about your right knee: 6 months", in the patient's language. */
  title: string;
  /** Lines under the title: the patient's registry number, the dates to answer in. */
  details: string[];
  shortCode: string;
  /** The instruments as the patient reads them (a translation applied, or their own text). */
  instruments: readonly InstrumentDefinition[];
  /** The form's own words in the patient's language (the patient catalogue, core/i18n). */
  t: Translate;
  /** The joint as the headings name it ("your right knee"), in the same language. */
  joint: string;
}

export interface PaperGeometry {
  width: number;
  height: number;
  margin: number;
  /** Width of `text` in points at `size`, in the regular or bold face. */
  measure: (text: string, size: number, bold: boolean) => number;
}

/** A4 in points (ISO 216: 210 × 297 mm) with 15 mm margins. */
export const A4 = { width: 595.28, height: 841.89, margin: 42.5 } as const;

/** Splits text into lines no wider than `width`; a word longer than a line is cut. */
export function wrapText(
  text: string,
  width: number,
  size: number,
  bold: boolean,
  measure: PaperGeometry['measure'],
): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const candidate = line ? `${line} ${word}` : word;
    if (measure(candidate, size, bold) <= width) {
      line = candidate;
      continue;
    }
    if (line) lines.push(line);
    let rest = word;
    while (measure(rest, size, bold) > width && rest.length > 1) {
      let cut = rest.length - 1;
      while (cut > 1 && measure(rest.slice(0, cut), size, bold) > width) cut--;
      lines.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
    line = rest;
  }
  if (line) lines.push(line);
  return lines;
}

const lineHeight = (size: number) => Math.round(size * 1.3 * 10) / 10;

/** A block of elements laid out from y = 0 downwards (negative y), and its height. */
interface Block {
  elements: PaperElement[];
  height: number;
}

function textBlock(
  g: PaperGeometry,
  text: string,
  x: number,
  width: number,
  size: number,
  bold: boolean,
): Block {
  const lines = wrapText(text, width, size, bold, g.measure);
  const lh = lineHeight(size);
  return {
    elements: lines.map((line, i) => ({
      kind: 'text' as const,
      x,
      y: -(i * lh + size),
      size,
      bold,
      text: line,
    })),
    height: lines.length * lh,
  };
}

function centred(g: PaperGeometry, text: string, centre: number, y: number, size: number) {
  return {
    kind: 'text' as const,
    x: centre - g.measure(text, size, false) / 2,
    y,
    size,
    bold: false,
    text,
  };
}

/** One question: its number and text, then its answers in the instrument's layout. */
function itemBlock(
  g: PaperGeometry,
  number: number,
  code: string,
  text: string,
  options: readonly { value: number; label: string }[],
): Block {
  const left = g.margin;
  const width = g.width - 2 * g.margin;
  const codeText = `[${code}]`;
  const codeWidth = g.measure(codeText, PAPER_TYPE.small, false);
  const question = textBlock(
    g,
    `${number}. ${text}`,
    left,
    width - codeWidth - 8,
    PAPER_TYPE.body,
    true,
  );
  const elements: PaperElement[] = [
    ...question.elements,
    // The item's code, small at the right, for the staff who type the answers in.
    {
      kind: 'text',
      x: g.width - g.margin - codeWidth,
      y: -PAPER_TYPE.small,
      size: PAPER_TYPE.small,
      bold: false,
      text: codeText,
    },
  ];
  let y = -(question.height + 6);
  const scale = numericScale(options);
  const columns = options.length;
  const column = width / columns;
  if (scale) {
    // A numeric rating scale is one horizontal row of numbered boxes, words under its ends.
    const numberY = y - PAPER_TYPE.option;
    const boxTop = numberY - 4;
    scale.points.forEach((p, i) => {
      const centre = left + column * (i + 0.5);
      elements.push(centred(g, String(p.value), centre, numberY, PAPER_TYPE.option));
      elements.push({ kind: 'box', x: centre - BOX / 2, y: boxTop - BOX, size: BOX });
    });
    y = boxTop - BOX - 4;
    let anchorsHeight = 0;
    for (const [anchor, side] of [
      [scale.lowAnchor, 'low'],
      [scale.highAnchor, 'high'],
    ] as const) {
      if (!anchor) continue;
      const w = width / 3;
      const block = textBlock(g, anchor, 0, w, PAPER_TYPE.option, false);
      for (const el of block.elements) {
        if (el.kind !== 'text') continue;
        const lineWidth = g.measure(el.text, PAPER_TYPE.option, false);
        const x = side === 'low' ? left : g.width - g.margin - lineWidth;
        elements.push({ ...el, x, y: y + el.y });
      }
      anchorsHeight = Math.max(anchorsHeight, block.height);
    }
    y -= anchorsHeight;
  } else if (column >= MIN_COLUMN) {
    // Likert answers side by side: a box over each label, as the instruments print them.
    const boxTop = y - 2;
    let labelsHeight = 0;
    options.forEach((o, i) => {
      const centre = left + column * (i + 0.5);
      elements.push({ kind: 'box', x: centre - BOX / 2, y: boxTop - BOX, size: BOX });
      const lines = wrapText(o.label, column - 6, PAPER_TYPE.option, false, g.measure);
      const lh = lineHeight(PAPER_TYPE.option);
      lines.forEach((line, j) => {
        elements.push(
          centred(
            g,
            line,
            centre,
            boxTop - BOX - 4 - PAPER_TYPE.option - j * lh,
            PAPER_TYPE.option,
          ),
        );
      });
      labelsHeight = Math.max(labelsHeight, lines.length * lh);
    });
    y = boxTop - BOX - 6 - labelsHeight;
  } else {
    // Too many answers for a row: one box and its label per line.
    for (const o of options) {
      elements.push({ kind: 'box', x: left, y: y - BOX, size: BOX });
      const label = textBlock(
        g,
        o.label,
        left + BOX + 8,
        width - BOX - 8,
        PAPER_TYPE.option,
        false,
      );
      for (const el of label.elements)
        if (el.kind === 'text') elements.push({ ...el, y: y - 3 + el.y });
      y -= Math.max(BOX, label.height) + 4;
    }
  }
  return { elements, height: -y + 14 };
}

/** Moves a block's elements (laid out from y = 0 downwards) to start at `top`. */
function placed(block: Block, top: number): PaperElement[] {
  return block.elements.map((el) => ({ ...el, y: top + el.y }));
}

export interface PaperFormLayout {
  pages: PaperPage[];
  /** The questions in the order printed: instrument and item code (each asked once). */
  items: { instrumentId: string; code: string; number: number }[];
}

/**
 * Lays out a paper questionnaire: a header with the title, the patient's details, the form
 * code and room for the QR code; then each instrument's instructions, sections and items,
 * never splitting a question across pages; a footer with the code and page number on each page.
 * An item a survey shares between two instruments is printed once, as on the web. Headings are
 * the survey's (the patient catalogue's), not the instruments' names, which are English only.
 */
export function layoutPaperForm(content: PaperFormContent, g: PaperGeometry): PaperFormLayout {
  const { t } = content;
  const width = g.width - 2 * g.margin;
  const code = formatShortCode(content.shortCode);
  const repeated = repeatedItems(content.instruments);
  const asked = content.instruments.map((def) => {
    const skip = repeated.get(def.id);
    const sections = def.sections
      .map((s) => ({ ...s, items: s.items.filter((it) => !skip?.has(it.code)) }))
      .filter((s) => s.items.length > 0);
    return { def, sections };
  });
  const questions = asked.reduce(
    (n, a) => n + a.sections.reduce((m, s) => m + s.items.length, 0),
    0,
  );
  const footerSpace = PAPER_TYPE.small + 16;
  const bottom = g.margin + footerSpace;
  const pages: PaperPage[] = [];
  let page: PaperPage = { elements: [] };
  pages.push(page);
  let top = g.height - g.margin;

  const put = (block: Block, gapAfter: number, keepWithNext = 0) => {
    if (top - block.height - keepWithNext < bottom) {
      page = { elements: [] };
      pages.push(page);
      top = g.height - g.margin;
    }
    page.elements.push(...placed(block, top));
    top -= block.height + gapAfter;
  };

  // Header: the QR code at the top right, text to its left.
  const textWidth = width - QR_SIZE - 16;
  const header: PaperElement[] = [
    { kind: 'qr', x: g.width - g.margin - QR_SIZE, y: -QR_SIZE, size: QR_SIZE },
  ];
  let y = 0;
  for (const [text, size, bold] of [
    [content.title, PAPER_TYPE.title, true],
    ...content.details.map((d) => [d, PAPER_TYPE.body, false] as const),
    [t('paper.formCode', { code }), PAPER_TYPE.heading, true],
  ] as const) {
    const block = textBlock(g, text, g.margin, textWidth, size, bold);
    header.push(...block.elements.map((el) => ({ ...el, y: y + el.y })));
    y -= block.height + 4;
  }
  y = Math.min(y, -QR_SIZE - 4);
  const how = textBlock(
    g,
    t('paper.howToAnswer', { count: questions }),
    g.margin,
    width,
    PAPER_TYPE.body,
    false,
  );
  header.push(...how.elements.map((el) => ({ ...el, y: y - 4 + el.y })));
  y -= how.height + 8;
  header.push({ kind: 'rule', x: g.margin, y, width });
  put({ elements: header, height: -y }, 14);

  const items: PaperFormLayout['items'] = [];
  let number = 0;
  for (const { def, sections } of asked) {
    if (sections.length === 0) continue;
    // Instructions, headings and intros go on the page of the question they lead to.
    const flow: { block: Block; gap: number; question: boolean }[] = [
      {
        block: textBlock(g, def.instructions, g.margin, width, PAPER_TYPE.body, false),
        gap: 10,
        question: false,
      },
    ];
    for (const section of sections) {
      const heading = sectionHeading(
        t,
        def.id,
        section.title,
        content.joint,
        section.titleInLanguage,
      );
      // A one-section form whose section is only the form's code has no heading to print.
      if (sections.length > 1 || heading !== def.shortName) {
        const block = textBlock(g, heading, g.margin, width, PAPER_TYPE.heading, true);
        flow.push({ block, gap: 2, question: false });
      }
      if (section.intro) {
        const block = textBlock(g, section.intro, g.margin, width, PAPER_TYPE.body, false);
        flow.push({ block, gap: 8, question: false });
      }
      for (const item of section.items) {
        number += 1;
        items.push({ instrumentId: def.id, code: item.code, number });
        const options = def.responseSets[item.responseSet] ?? [];
        flow.push({
          block: itemBlock(g, number, item.code, item.text, options),
          gap: 4,
          question: true,
        });
      }
    }
    flow.forEach((part, i) => {
      let keep = 0;
      for (let j = i + 1; !part.question && j < flow.length; j++) {
        const next = flow[j] as (typeof flow)[number];
        keep += (flow[j - 1]?.gap ?? 0) + next.block.height;
        if (next.question) break;
      }
      put(part.block, part.gap, keep);
    });
    top -= 8;
  }

  pages.forEach((p, i) => {
    const footer = t('paper.footer', { code, page: i + 1, pages: pages.length });
    p.elements.push(centred(g, footer, g.width / 2, g.margin, PAPER_TYPE.small));
  });
  return { pages, items };
}
