import type { outreachReport } from '../app/follow-up/outreach.ts';
import { MODE_LABELS } from '../core/outreach/contact.ts';

const percent = (x: number | null) => (x === null ? '–' : `${Math.round(x * 100)}%`);

/** Rows as aligned text: the first column left-aligned, the rest right-aligned. */
function table(rows: readonly string[][]): string[] {
  const widths = (rows[0] ?? []).map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map(
    (r) =>
      `  ${r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  ')}`,
  );
}

/** A site's follow-up by mode and channel, and response after each message, as text. */
export function outreachText(site: string, o: Awaited<ReturnType<typeof outreachReport>>): string {
  const lines = [`Follow-up at ${site}: completeness by mode of administration`];
  if (o.timepoints.length === 0) return `${lines[0]}\n  No time point reached yet.\n\n`;
  const modes = o.timepoints[0]?.byMode.map((m) => m.mode) ?? [];
  lines.push(
    ...table([
      ['Time point', 'Decided', 'Complete', ...modes.map((m) => MODE_LABELS[m])],
      ...o.timepoints.map((t) => [
        t.label,
        String(t.decided),
        percent(t.completeness),
        ...t.byMode.map((m) => `${m.completed} (${percent(m.share)})`),
      ]),
    ]),
    '',
    'Answered links by the channels each link went out on before its answer',
    ...table([
      ['Time point', 'Channels', 'Links', 'Answered', 'Share'],
      ...o.timepoints.flatMap((t) =>
        t.byChannel.map((c) => [
          t.label,
          c.channels,
          String(c.links),
          String(c.completed),
          percent(c.share),
        ]),
      ),
    ]),
    '',
  );
  if (o.afterEachMessage.length > 0)
    lines.push(
      'Answered after each message, before the next',
      ...table([
        ['Message', 'Links', 'Answered', 'Rate'],
        ...o.afterEachMessage.map((m) => [
          m.message,
          String(m.reached),
          String(m.answeredBefore),
          percent(m.rate),
        ]),
      ]),
      '',
    );
  lines.push(
    'Decided: joints that answered or whose window closed. A message sent by e-mail and text at once counts once.',
  );
  return `${lines.join('\n')}\n\n`;
}
