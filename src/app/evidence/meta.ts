import { z } from 'zod';
import { invalid } from '../../core/errors.ts';
import { forestPlotSvg } from '../../core/plots/forest.ts';
import { funnelPlotSvg } from '../../core/plots/funnel.ts';
import { analyseStudies, readStudiesCsv, tooManyStudies } from '../../core/stats/analysis.ts';
import { INPUT_MEASURES } from '../../core/stats/input.ts';
import { CI_METHODS, TAU2_METHODS } from '../../core/stats/meta.ts';
import { parseInput } from '../../core/validation.ts';
import type { AppContext } from '../context.ts';

export const metaRequestSchema = z.object({
  csv: z.string().min(1, 'Paste or upload a CSV of studies').max(1_000_000, 'At most 1 MB of CSV'),
  measure: z.enum(INPUT_MEASURES).optional(),
  method: z.enum(TAU2_METHODS).default('REML'),
  ci: z.enum(CI_METHODS).default('z'),
});

const EFFECT_LABELS = {
  MD: 'Mean difference (arm 1 − arm 2)',
  SMD: "Standardised mean difference, Hedges' g (arm 1 − arm 2)",
  GEN: 'Effect size',
} as const;

type MetaRequest = z.infer<typeof metaRequestSchema>;

/** A meta-analysis of pasted CSV data: the numbers, Egger's and subgroup tests, and both plots. */
export function runMetaAnalysis(body: unknown) {
  return computeMetaAnalysis(parseInput(metaRequestSchema, body));
}

/**
 * The same, for the server: checked here, computed on the compute pool's threads (when the
 * context has one) so a 2,000-study analysis never holds up other requests.
 */
export async function metaAnalysisFor(ctx: AppContext, body: unknown) {
  const request = parseInput(metaRequestSchema, body);
  return ctx.compute ? ctx.compute.run('meta', request) : computeMetaAnalysis(request);
}

/** The pure computation behind both: runs on whichever thread calls it. */
export function computeMetaAnalysis(request: MetaRequest) {
  const input = readStudiesCsv(request.csv, request.measure);
  // Refused before any fitting: the computation holds the server's one event loop.
  const refusal = input.ok ? tooManyStudies(input.studies.length) : null;
  if (refusal) throw refusal;
  const outcome = input.ok
    ? analyseStudies(input, { method: request.method, ci: request.ci })
    : input;
  if (!outcome.ok)
    throw invalid(
      'The CSV has problems; nothing was computed',
      outcome.problems.map((p) => ({
        field: p.row > 0 ? `csv row ${p.row}${p.column ? `, column ${p.column}` : ''}` : 'csv',
        message: p.message,
      })),
    );
  const { analysis } = outcome;
  const effectLabel = EFFECT_LABELS[analysis.measure];
  return {
    ...analysis,
    forestSvg: forestPlotSvg(analysis.studies, analysis.result, { effectLabel }),
    funnelSvg: funnelPlotSvg(analysis.studies, analysis.result, { effectLabel }),
  };
}
