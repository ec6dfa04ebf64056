import { daysBetween, type IsoDate } from '../registry/dates.ts';
import { clopperPearson } from '../stats/survival.ts';

export interface TreatmentWithEvents {
  treatmentId: string;
  productClass: string;
  treatmentDate: IsoDate;
  events: {
    onsetDate: IsoDate;
    grade: number;
    serious: boolean;
    relatedness: string;
    description: string;
    /** A clinician found the description free of identifying details. */
    descriptionReviewed?: boolean;
  }[];
}

/** x of n treatments, the share and its exact (Clopper–Pearson) 95% CI. */
export interface Proportion {
  count: number;
  share: number;
  lower: number;
  upper: number;
}

export interface ProductSafety {
  productClass: string;
  treatments: number;
  /** Adverse events of any grade, counted once per treatment. */
  anyEvent: Proportion;
  serious: Proportion;
  /** Events the clinician judged possibly, probably or definitely caused by the treatment. */
  related: Proportion;
  events: number;
}

export interface SeriousEventRow {
  productClass: string;
  treatmentDate: IsoDate;
  onsetDate: IsoDate;
  daysAfterTreatment: number;
  grade: number;
  relatedness: string;
  description: string;
  descriptionReviewed: boolean;
}

const RELATED = new Set(['possible', 'probable', 'definite']);

function proportion(count: number, n: number): Proportion {
  return { count, share: count / n, ...clopperPearson(count, n) };
}

/** Per product: treatments, and how many were followed by any, a serious and a related event. */
export interface ProductEventCounts {
  productClass: string;
  treatments: number;
  withEvent: number;
  withSerious: number;
  withRelated: number;
  events: number;
}

export const RELATEDNESS_COUNTED_AS_RELATED = [...RELATED];

/** Shares with exact CIs from counts (as the database aggregates them), largest product first. */
export function productSafety(counts: readonly ProductEventCounts[]): ProductSafety[] {
  return counts
    .filter((c) => c.treatments > 0)
    .map((c) => ({
      productClass: c.productClass,
      treatments: c.treatments,
      anyEvent: proportion(c.withEvent, c.treatments),
      serious: proportion(c.withSerious, c.treatments),
      related: proportion(c.withRelated, c.treatments),
      events: c.events,
    }))
    .sort((a, b) => b.treatments - a.treatments || a.productClass.localeCompare(b.productClass));
}

/**
 * Safety per product class: the share of treatments followed by any adverse event, by a
 * serious one and by a related one, each with its exact 95% CI; and every serious event.
 */
export function safetySummary(rows: readonly TreatmentWithEvents[]): {
  byProduct: ProductSafety[];
  serious: SeriousEventRow[];
} {
  const byProduct = new Map<string, TreatmentWithEvents[]>();
  for (const r of rows)
    byProduct.set(r.productClass, [...(byProduct.get(r.productClass) ?? []), r]);
  const summaries = productSafety(
    [...byProduct.entries()].map(([productClass, list]) => {
      const count = (test: (e: TreatmentWithEvents['events'][number]) => boolean) =>
        list.filter((t) => t.events.some(test)).length;
      return {
        productClass,
        treatments: list.length,
        withEvent: count(() => true),
        withSerious: count((e) => e.serious),
        withRelated: count((e) => RELATED.has(e.relatedness)),
        events: list.reduce((sum, t) => sum + t.events.length, 0),
      };
    }),
  );
  return { byProduct: summaries, serious: seriousEventRows(rows) };
}

/** Every serious event of the treatments, with days from treatment, earliest first. */
export function seriousEventRows(rows: readonly TreatmentWithEvents[]): SeriousEventRow[] {
  return rows
    .flatMap((t) =>
      t.events
        .filter((e) => e.serious)
        .map((e) => ({
          productClass: t.productClass,
          treatmentDate: t.treatmentDate,
          onsetDate: e.onsetDate,
          daysAfterTreatment: daysBetween(t.treatmentDate, e.onsetDate),
          grade: e.grade,
          relatedness: e.relatedness,
          description: e.description,
          descriptionReviewed: e.descriptionReviewed ?? false,
        })),
    )
    .sort((a, b) => a.onsetDate.localeCompare(b.onsetDate));
}
