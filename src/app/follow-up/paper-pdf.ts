import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, rgb } from 'pdf-lib';
import { encode } from 'uqr';
import { A4, layoutPaperForm, type PaperFormContent } from '../../core/paper/layout.ts';

// DejaVu Sans covers Latin, Greek and Cyrillic; read from the installed package, never copied.
const require = createRequire(import.meta.url);
let faces: Promise<{ regular: Uint8Array; bold: Uint8Array }> | undefined;
function dejaVu() {
  faces ??= Promise.all(
    ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((file) =>
      readFile(require.resolve(`dejavu-fonts-ttf/ttf/${file}`)),
    ),
  ).then(([regular, bold]) => ({ regular: regular as Uint8Array, bold: bold as Uint8Array }));
  return faces;
}

/** The characters DejaVu Sans can draw (its regular face; the bold one has no fewer in these scripts). */
let drawable: Promise<Set<number>> | undefined;
function drawableCharacters(): Promise<Set<number>> {
  drawable ??= dejaVu().then(({ regular }) => new Set(fontkit.create(regular).characterSet));
  return drawable;
}

/** The characters of `texts` the form's font cannot draw (they would print as empty boxes). */
export async function undrawable(texts: readonly string[]): Promise<string[]> {
  const can = await drawableCharacters();
  const missing = new Set<string>();
  for (const text of texts)
    for (const ch of text) {
      const cp = ch.codePointAt(0) ?? 0;
      // Spaces and format characters draw nothing anyway.
      if (!can.has(cp) && !/[\s\p{Cf}]/u.test(ch)) missing.add(ch);
    }
  return [...missing];
}

/**
 * Draws a paper questionnaire laid out by `core/paper/layout.ts` with pdf-lib, with the QR code
 * of the survey link as vector squares. Text is set in DejaVu Sans, embedded as a subset through
 * fontkit, so any Latin, Greek or Cyrillic text prints (the standard PDF fonts draw WinAnsi only).
 * fontkit shapes glyphs but does not apply the Unicode bidirectional algorithm, so the caller
 * refuses right-to-left languages (see printPaperForm). The document carries its title (shown in
 * the viewer's title bar), subject and language, which screen readers and PDF checkers look for.
 * pdf-lib writes no structure tags, so the PDF is readable, not tagged (PDF/UA).
 */
export async function paperFormPdf(
  content: PaperFormContent & { surveyUrl: string; subject: string; language: string },
  createdAt: Date,
): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.setTitle(content.title, { showInWindowTitleBar: true });
  pdf.setSubject(content.subject);
  pdf.setLanguage(content.language);
  pdf.setCreator('StemTrack');
  pdf.setProducer('StemTrack (pdf-lib)');
  pdf.setCreationDate(createdAt);
  pdf.setModificationDate(createdAt);
  pdf.registerFontkit(fontkit);
  const font = await dejaVu();
  const regular = await pdf.embedFont(font.regular, { subset: true });
  const bold = await pdf.embedFont(font.bold, { subset: true });
  const layout = layoutPaperForm(content, {
    ...A4,
    measure: (text, size, isBold) => (isBold ? bold : regular).widthOfTextAtSize(text, size),
  });
  const qr = encode(content.surveyUrl, { ecc: 'M', border: 0 });
  const black = rgb(0, 0, 0);
  for (const p of layout.pages) {
    const page = pdf.addPage([A4.width, A4.height]);
    for (const el of p.elements) {
      if (el.kind === 'text') {
        const font = el.bold ? bold : regular;
        page.drawText(el.text, {
          x: el.x,
          y: el.y,
          size: el.size,
          font,
          color: black,
        });
      } else if (el.kind === 'box') {
        page.drawRectangle({
          x: el.x,
          y: el.y,
          width: el.size,
          height: el.size,
          borderColor: black,
          borderWidth: 1.2,
        });
      } else if (el.kind === 'rule') {
        page.drawLine({
          start: { x: el.x, y: el.y },
          end: { x: el.x + el.width, y: el.y },
          thickness: 0.8,
          color: black,
        });
      } else {
        const cell = el.size / qr.size;
        qr.data.forEach((row, r) => {
          row.forEach((dark, c) => {
            if (dark)
              page.drawRectangle({
                x: el.x + c * cell,
                y: el.y + el.size - (r + 1) * cell,
                width: cell,
                height: cell,
                color: black,
              });
          });
        });
      }
    }
  }
  return pdf.save();
}
