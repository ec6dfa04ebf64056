import type { outcomeReport } from '../app/analytics/report.ts';
import type { ShareWithCi } from '../core/analytics/responders.ts';
import { WORK_STATUS, type WorkStatusAtTimepoint } from '../core/analytics/work-status.ts';
import { instrumentById, isKnownInstrument } from '../core/instruments/library.ts';
import { formatValue } from '../core/plots/svg.ts';
import { timePointById } from '../core/schedule/timepoints.ts';
import type { MeanWithCi } from '../core/stats/descriptive.ts';

const f = (x: number | null | undefined) => formatValue(x, 1);
const percent = (x: number) => `${Math.round(x * 100)}%`;
/** "42% [35%, 49%]" or '' when the share was not counted. */
const share = (s: ShareWithCi | null | undefined) =>
  s ? `${percent(s.share)} [${percent(s.lower)}, ${percent(s.upper)}]` : '';
const ci = (m: MeanWithCi | null) =>
  m && m.ciLower !== null ? `[${f(m.ciLower)}, ${f(m.ciUpper)}]` : '';

/** The report as a readable table, one block per questionnaire scale. */
export function reportText(report: Awaited<ReturnType<typeof outcomeReport>>): string {
  const lines = [`${report.joints} treated joints with scores.`, ''];
  // The report lists scales in the instruments' own order already.
  const scales = [...new Set(report.outcomes.map((o) => `${o.instrumentId}|${o.scale}`))];
  for (const key of scales) {
    const [instrumentId, scale] = key.split('|') as [string, string];
    const def = isKnownInstrument(instrumentId) ? instrumentById(instrumentId) : undefined;
    const scaleDef = def?.scales.find((s) => s.id === scale);
    const name = def ? `${def.shortName} ${scaleDef?.name ?? scale}` : `${instrumentId} ${scale}`;
    // What could not be checked (the JR forms' tables) is said with the scores.
    lines.push(scaleDef?.caveat ? `${name} (${scaleDef.caveat.label.toLowerCase()})` : name);
    const model = report.trajectories.find(
      (t) => t.instrumentId === instrumentId && t.scale === scale,
    )?.model;
    const modelled = (timepoint: string) =>
      model?.timepoints.find((t) => t.timepoint === timepoint);
    const counted = (timepoint: string) =>
      report.thresholds.find(
        (t) => t.instrumentId === instrumentId && t.scale === scale && t.timepoint === timepoint,
      );
    const someThreshold = report.thresholds.find(
      (t) => t.instrumentId === instrumentId && t.scale === scale,
    );
    const rows = [
      [
        'Time point',
        'n',
        'Mean (SD)',
        '95% CI',
        'n paired',
        'Change',
        '95% CI',
        'Model change',
        '95% CI',
        ...(someThreshold?.mcid ? [`Past MCID (${f(someThreshold.mcid)})`] : []),
        ...(someThreshold?.relativeMcid ? [`Down ≥ ${percent(someThreshold.relativeMcid)}`] : []),
        ...(someThreshold?.pass ? [`In PASS (${f(someThreshold.pass)})`] : []),
      ],
      ...report.outcomes
        .filter((o) => o.instrumentId === instrumentId && o.scale === scale)
        .map((o) => [
          timePointById(o.timepoint)?.label ?? o.timepoint,
          String(o.level.n),
          `${f(o.level.mean)} (${f(o.level.sd)})`,
          ci(o.level),
          o.change ? String(o.change.n) : '',
          o.change ? f(o.change.mean) : '',
          ci(o.change),
          f(modelled(o.timepoint)?.change?.estimate),
          modelled(o.timepoint)?.change
            ? `[${f(modelled(o.timepoint)?.change?.lower)}, ${f(modelled(o.timepoint)?.change?.upper)}]`
            : '',
          ...(someThreshold?.mcid ? [share(counted(o.timepoint)?.pastMcid)] : []),
          ...(someThreshold?.relativeMcid ? [share(counted(o.timepoint)?.pastRelative)] : []),
          ...(someThreshold?.pass ? [share(counted(o.timepoint)?.inPass)] : []),
        ]),
    ];
    lines.push(...table(rows));
    const origins = someThreshold
      ? ([
          ['MCID', someThreshold.mcid !== null ? someThreshold.derivedIn.mcid : null],
          [
            `${percent(someThreshold.relativeMcid ?? 0)} fall`,
            someThreshold.relativeMcid !== null ? someThreshold.derivedIn.relativeMcid : null,
          ],
          ['PASS', someThreshold.pass !== null ? someThreshold.derivedIn.pass : null],
        ] as const)
      : [];
    for (const [what, origin] of origins)
      if (origin)
        lines.push(
          `  ${what} derived in: ${origin.population}${origin.warning ? ` WARNING: ${origin.warning}` : ''}`,
        );
    lines.push('');
  }
  const responders = report.responders.byTimepoint;
  if (responders.length > 0) {
    const rows = [
      [
        'Time point',
        'Joints',
        'Responders',
        '95% CI',
        '',
        'With global',
        'Undetermined',
        'At most',
      ],
      ...responders.map((r) => [
        timePointById(r.timepoint)?.label ?? r.timepoint,
        String(r.joints),
        percent(r.responders.share),
        `[${percent(r.responders.lower)}, ${percent(r.responders.upper)}]`,
        r.exact ? 'exact' : 'lower bound',
        String(r.withGlobal),
        String(r.undetermined),
        percent(r.upperBound.share),
      ]),
    ];
    lines.push(
      'OMERACT-OARSI responders (KOOS or HOOS Pain and ADL, and the patient global where answered)',
    );
    lines.push(...table(rows), '');
    lines.push(
      'A joint whose pain or function alone improved moderately is classed by its patient global; without one it is undetermined and the share is a lower bound. "At most" counts the undetermined as responders.',
    );
  }
  lines.push(...workStatusText(report.workStatus));
  if (report.thresholds.length > 0)
    lines.push(
      'Past MCID: share of joints scored at baseline and then that improved by at least the MCID; In PASS: share of joints scored then at or beyond the PASS. 95% CIs are exact (Clopper–Pearson). Thresholds and their sources: the instrument definition files.',
    );
  lines.push(
    'Model change: linear mixed model (score ~ time point, random intercept per joint, REML), which keeps joints that missed visits.',
    'Changes are before–after, without a control group: not treatment effects.',
  );
  return `${lines.join('\n')}\n`;
}

/** Work status per time point: one row per answer, its joints and share of those answering. */
function workStatusText(byTimepoint: readonly WorkStatusAtTimepoint[]): string[] {
  if (byTimepoint.length === 0) return [];
  const answers = byTimepoint[0]?.answers.map((a) => a.label) ?? [];
  // An answer no longer on the form may appear at one time point only.
  for (const t of byTimepoint)
    for (const a of t.answers) if (!answers.includes(a.label)) answers.push(a.label);
  const caveat = instrumentById(WORK_STATUS.instrumentId).caveat?.label.toLowerCase();
  const rows = [
    ['Answer', ...byTimepoint.map((t) => timePointById(t.timepoint)?.label ?? t.timepoint)],
    ['Joints answering (n)', ...byTimepoint.map((t) => String(t.n))],
    ...answers.map((label) => [
      label,
      ...byTimepoint.map((t) => {
        const a = t.answers.find((x) => x.label === label);
        return a ? `${a.share.count} (${percent(a.share.share)})` : '0';
      }),
    ]),
  ];
  return [
    `Work status (ICHOM hip & knee osteoarthritis set; the patient's answer${caveat ? `, ${caveat}` : ''})`,
    ...table(rows),
    '',
    'Each joint counts once per time point, with its first answer; shares are of the joints answering then (exact 95% CIs in --json).',
    '',
  ];
}

/** Rows as aligned text: the first column left-aligned, the rest right-aligned. */
function table(rows: readonly string[][]): string[] {
  const widths = (rows[0] ?? []).map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map(
    (r) =>
      `  ${r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  ')}`,
  );
}
