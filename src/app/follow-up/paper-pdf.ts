import { PDFDocument, type PDFFont, rgb, StandardFonts } from 'pdf-lib';
import { encode } from 'uqr';
import { A4, layoutPaperForm, type PaperFormContent } from '../../core/paper/layout.ts';

/**
 * Draws a paper questionnaire laid out by `core/paper/layout.ts` with pdf-lib, with the QR code
 * of the survey link as vector squares. The document carries its title (shown in the viewer's
 * title bar), subject and language, which screen readers and PDF checkers look for.
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
  const regular = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  // The standard fonts encode WinAnsi only: any other character prints as "?" rather than failing.
  const encodable = (font: PDFFont) => {
    const set = new Set(font.getCharacterSet());
    return (text: string) =>
      [...text].map((ch) => (set.has(ch.codePointAt(0) ?? 0) ? ch : '?')).join('');
  };
  const safe = { regular: encodable(regular), bold: encodable(bold) };
  const layout = layoutPaperForm(content, {
    ...A4,
    measure: (text, size, isBold) =>
      (isBold ? bold : regular).widthOfTextAtSize((isBold ? safe.bold : safe.regular)(text), size),
  });
  const qr = encode(content.surveyUrl, { ecc: 'M', border: 0 });
  const black = rgb(0, 0, 0);
  for (const p of layout.pages) {
    const page = pdf.addPage([A4.width, A4.height]);
    for (const el of p.elements) {
      if (el.kind === 'text') {
        const font = el.bold ? bold : regular;
        page.drawText((el.bold ? safe.bold : safe.regular)(el.text), {
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
