import { z } from 'zod';
import { DAYS_PER_MONTH } from '../registry/dates.ts';
import type { TrialArm } from './trials.ts';

/*
 * Reads a study record from the ClinicalTrials.gov API v2 (GET /api/v2/studies/{nctId}, JSON)
 * with posted results, and turns its continuous outcome measures into trial arm rows. Only
 * what the record states is used: the scale must be recognisable from the title and unit,
 * the time frame must name a time, and each arm needs a mean with SD (or SE, from which
 * SD = SE·√n) and its analysed n. Everything else is refused with the reason.
 */

const measurement = z.object({
  groupId: z.string(),
  value: z.string().optional(),
  spread: z.string().optional(),
  lowerLimit: z.string().optional(),
  upperLimit: z.string().optional(),
});
const outcomeMeasure = z.object({
  type: z.string().optional(),
  title: z.string(),
  description: z.string().optional(),
  paramType: z.string().optional(),
  dispersionType: z.string().optional(),
  unitOfMeasure: z.string().optional(),
  timeFrame: z.string().optional(),
  groups: z
    .array(z.object({ id: z.string(), title: z.string(), description: z.string().optional() }))
    .default([]),
  denoms: z
    .array(
      z.object({
        units: z.string().optional(),
        counts: z.array(z.object({ groupId: z.string(), value: z.string() })),
      }),
    )
    .default([]),
  classes: z
    .array(
      z.object({
        title: z.string().optional(),
        categories: z.array(z.object({ measurements: z.array(measurement) })),
      }),
    )
    .default([]),
});
const studyRecord = z.object({
  protocolSection: z.object({
    identificationModule: z.object({
      nctId: z.string().regex(/^NCT\d{8}$/),
      briefTitle: z.string().optional(),
    }),
  }),
  resultsSection: z
    .object({
      outcomeMeasuresModule: z.object({ outcomeMeasures: z.array(outcomeMeasure) }).optional(),
    })
    .optional(),
});

export interface CtGovImport {
  nctId: string;
  arms: TrialArm[];
  refused: { outcome: string; reason: string }[];
}

/** Recognises a scale from an outcome's title and unit; undefined when unsure. */
export function recogniseScale(title: string, unit: string): string | undefined {
  const text = `${title} ${unit}`.toLowerCase();
  const womac = /womac/.test(text);
  if (womac) {
    const part = /pain/.test(text)
      ? 'pain'
      : /function/.test(text)
        ? 'function'
        : /total/.test(text)
          ? 'total'
          : undefined;
    if (!part) return undefined;
    const likertMax = { pain: 20, function: 68, total: 96 }[part];
    if (new RegExp(`0\\s*(-|–|to)\\s*${likertMax}\\b`).test(text)) return `WOMAC_${part}`;
    if (/0\s*(-|–|to)\s*100\b/.test(text)) return `WOMAC_${part}_0_100`;
    return undefined;
  }
  if (/\b(vas|visual analog(ue)? scale)\b/.test(text) && /pain/.test(text)) {
    if (/\bmm\b|0\s*(-|–|to)\s*100\b/.test(text)) return 'VAS_0_100';
    if (/\bcm\b|0\s*(-|–|to)\s*10\b/.test(text)) return 'VAS_0_10';
  }
  if (
    /\b(nrs|numeric(al)? rating scale)\b/.test(text) &&
    /pain/.test(text) &&
    /0\s*(-|–|to)\s*10\b/.test(text)
  )
    return 'NRS_0_10';
  return undefined;
}

/** Months from a time frame such as "12 months", "Month 6", "52 weeks" or "1 year"; undefined when unclear. */
export function monthsFromTimeFrame(timeFrame: string): number | undefined {
  const t = timeFrame.toLowerCase();
  // "6 and 12 months" or "3, 6, 12 months" name several times: ambiguous.
  if ((t.match(/\d+(\.\d+)?/g) ?? []).length !== 1) return undefined;
  const found: number[] = [];
  for (const m of t.matchAll(
    /(\d+(?:\.\d+)?)\s*(month|week|year)s?\b|\b(month|week|year)\s*(\d+(?:\.\d+)?)/g,
  )) {
    const value = Number(m[1] ?? m[4]);
    const unit = m[2] ?? m[3];
    const months =
      unit === 'month' ? value : unit === 'year' ? value * 12 : (value * 7) / DAYS_PER_MONTH;
    found.push(Math.round(months * 10) / 10);
  }
  return found.length === 1 && (found[0] as number) > 0 ? found[0] : undefined;
}

export function importCtGovStudy(
  json: unknown,
): { ok: true; result: CtGovImport } | { ok: false; message: string } {
  const parsed = studyRecord.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      message: `Not a ClinicalTrials.gov API v2 study record: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
    };
  }
  const record = parsed.data;
  const nctId = record.protocolSection.identificationModule.nctId;
  const measures = record.resultsSection?.outcomeMeasuresModule?.outcomeMeasures;
  if (!measures || measures.length === 0)
    return { ok: false, message: `${nctId} has no posted outcome results to import` };
  const arms: TrialArm[] = [];
  const refused: CtGovImport['refused'] = [];
  for (const m of measures) {
    const refuse = (reason: string) => refused.push({ outcome: m.title, reason });
    const scale = recogniseScale(m.title, m.unitOfMeasure ?? '');
    if (!scale) {
      refuse(
        `Scale not recognised from title and unit ('${m.unitOfMeasure ?? ''}'); no conversion is assumed`,
      );
      continue;
    }
    const months = monthsFromTimeFrame(m.timeFrame ?? '');
    if (months === undefined) {
      refuse(`Time frame '${m.timeFrame ?? ''}' does not name a single follow-up time`);
      continue;
    }
    if (m.paramType !== 'MEAN' && m.paramType !== 'LEAST_SQUARES_MEAN') {
      refuse(`Reported as ${m.paramType ?? 'an unknown statistic'}, not a mean`);
      continue;
    }
    if (/change/i.test(`${m.title} ${m.description ?? ''}`)) {
      refuse('Reported as a change from baseline; only follow-up values are imported');
      continue;
    }
    const dispersion = m.dispersionType ?? '';
    if (dispersion !== 'STANDARD_DEVIATION' && dispersion !== 'STANDARD_ERROR') {
      refuse(`Dispersion ${dispersion || '(none)'} is not an SD or SE`);
      continue;
    }
    const counts = new Map((m.denoms[0]?.counts ?? []).map((c) => [c.groupId, Number(c.value)]));
    const cells =
      m.classes.length === 1 && m.classes[0]?.categories.length === 1
        ? m.classes[0].categories[0]?.measurements
        : undefined;
    if (!cells) {
      refuse('Results are split into classes or categories; import them by hand');
      continue;
    }
    for (const group of m.groups) {
      const cell = cells.find((c) => c.groupId === group.id);
      const n = counts.get(group.id);
      const value = Number(cell?.value);
      const spread = Number(cell?.spread);
      if (
        !cell ||
        !Number.isFinite(value) ||
        !Number.isFinite(spread) ||
        !(spread > 0) ||
        !n ||
        !Number.isInteger(n)
      ) {
        refuse(`${group.title}: mean, spread or analysed n missing`);
        continue;
      }
      const text = `${group.title} ${group.description ?? ''}`;
      arms.push({
        study: nctId,
        doiOrNct: nctId,
        arm: group.title,
        armRole: CONTROL_WORDS.test(text) && !CELL_WORDS.test(text) ? 'control' : 'intervention',
        product: productOf(text),
        cellDose: '',
        nRandomized: null,
        nAnalyzed: n,
        outcome: scale,
        scaleDirection: 'higher_worse',
        timepointMonths: months,
        stat: 'mean_sd',
        value,
        spreadLowOrSd: dispersion === 'STANDARD_ERROR' ? spread * Math.sqrt(n) : spread,
        spreadHigh: null,
        sourceUrl: `https://clinicaltrials.gov/study/${nctId}?tab=results`,
        sourceLocation: `Posted results, outcome '${m.title}' (${m.timeFrame}), group ${group.id}${dispersion === 'STANDARD_ERROR' ? '; SD computed from SE × √n' : ''}`,
        verified: 'partial',
      });
    }
  }
  return { ok: true, result: { nctId, arms, refused } };
}

const CONTROL_WORDS = /placebo|saline|sham|control|hyaluron|corticosteroid|steroid|usual care/i;
const CELL_WORDS = /stem cell|stromal|msc|marrow|adipose|umbilical|svf|bmac/i;

function productOf(text: string): string {
  const t = text.toLowerCase();
  if (/bone marrow aspirate|bmac/.test(t)) return 'BMAC';
  if (/stromal vascular|svf/.test(t)) return 'SVF';
  if (/umbilical|wharton/.test(t)) return 'UC-MSC';
  if (/adipose/.test(t) && /(stem|stromal|msc)/.test(t)) return 'AD-MSC';
  if (/marrow/.test(t) && /(stem|stromal|msc)/.test(t)) return 'BM-MSC';
  if (/platelet|prp/.test(t)) return 'PRP';
  if (/hyaluron/.test(t)) return 'HA';
  if (/saline|placebo/.test(t)) return 'SALINE';
  if (/corticosteroid|steroid/.test(t)) return 'CS';
  return 'other';
}
