import { readFileSync } from 'node:fs';
import { invalid } from '../../core/errors.ts';
import {
  CELL_PRODUCTS,
  poolTrials,
  type RegistryPainChange,
  registryVsEvidence,
} from '../../core/evidence/context.ts';
import { importCtGovStudy } from '../../core/evidence/ctgov.ts';
import { publishedSummariesFromTable } from '../../core/evidence/summaries.ts';
import { type TrialArm, trialArmsFromTable } from '../../core/evidence/trials.ts';
import { forestPlotSvg } from '../../core/plots/forest.ts';
import { meanWithCi } from '../../core/stats/descriptive.ts';
import { parseCsv } from '../../core/tabular/csv.ts';
import { listImportedArms, painChanges, upsertArms } from '../../store/evidence.repo.ts';
import {
  ALL_ROLES,
  type AppContext,
  auditUser,
  requireRole,
  scopeOf,
  type UserActor,
} from '../context.ts';

const DATA = new URL('../../core/evidence/data/', import.meta.url);

let shipped:
  | { arms: TrialArm[]; summaries: ReturnType<typeof publishedSummariesFromTable>['summaries'] }
  | undefined;

/** The evidence dataset that ships with StemTrack (read once; a bad row is a bug, so it throws). */
export function shippedEvidence() {
  if (!shipped) {
    const trials = trialArmsFromTable(
      parseCsv(readFileSync(new URL('trials-extracted.csv', DATA), 'utf8')).table,
    );
    const summaries = publishedSummariesFromTable(
      parseCsv(readFileSync(new URL('published-summaries.csv', DATA), 'utf8')).table,
    );
    const problems = [...trials.problems, ...summaries.problems];
    if (problems.length > 0)
      throw new Error(`The shipped evidence data has problems: ${JSON.stringify(problems)}`);
    shipped = { arms: trials.arms, summaries: summaries.summaries };
  }
  return shipped;
}

let regulatory: unknown;
/** Regulatory statements and trial registries, each with its source (data/regulatory.json). */
function regulatoryInformation() {
  regulatory ??= JSON.parse(readFileSync(new URL('regulatory.json', DATA), 'utf8'));
  return regulatory as {
    statements: { region: string; statement: string; source: string; url: string; read: string }[];
    trialRegistries: { name: string; url: string }[];
  };
}

/** Everything the public evidence page shows: trials with sources, pooled results, published summaries. */
/** The shipped trial arms and those this registry imported. */
async function trialArms(ctx: AppContext) {
  const imported = await listImportedArms(ctx.db);
  return { imported, arms: [...shippedEvidence().arms, ...imported] };
}

export async function evidenceOverview(ctx: AppContext) {
  const base = shippedEvidence();
  const { imported, arms } = await trialArms(ctx);
  const pooled = poolTrials(arms).map((p) => ({
    ...p,
    forestSvg: p.result
      ? forestPlotSvg(p.comparisons, p.result, {
          title: `${p.outcome} at ${p.timepointMonths} months`,
          effectLabel: 'Mean difference (cells − control)',
          favours: ['favours cells', 'favours control'],
        })
      : null,
  }));
  const studies = [...new Set(arms.map((a) => a.study))].map((study) => {
    const rows = arms.filter((a) => a.study === study);
    return {
      study,
      doiOrNct: rows[0]?.doiOrNct ?? '',
      arms: [...new Set(rows.map((r) => r.arm))],
      products: [...new Set(rows.map((r) => r.product).filter(Boolean))],
      outcomes: [...new Set(rows.map((r) => r.outcome))],
      sources: [...new Set(rows.map((r) => r.sourceUrl).filter(Boolean))],
      partlyVerified: rows.some((r) => r.verified !== 'yes'),
      imported: imported.some((r) => r.study === study),
    };
  });
  return { studies, summaries: base.summaries, pooled, regulatory: regulatoryInformation() };
}

/**
 * The largest evidence file taken at once. The shipped dataset is under 40 kB; 5 MB is over
 * a hundred times that, and keeps an import's memory to tens of megabytes.
 */
export const MAX_EVIDENCE_IMPORT_BYTES = 5 * 1024 * 1024;
/** Problems listed one by one; a file wrong on every row gets a count of the rest. */
const MAX_LISTED_PROBLEMS = 100;

/** Refuses a file over MAX_EVIDENCE_IMPORT_BYTES, saying the limit; `bytes` is its size. */
export function checkEvidenceImportSize(fileName: string, bytes: number): void {
  if (bytes <= MAX_EVIDENCE_IMPORT_BYTES) return;
  const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;
  const message = `${fileName} is ${mb(bytes)}; at most ${mb(MAX_EVIDENCE_IMPORT_BYTES)} can be imported at once. Split it into smaller files.`;
  throw invalid(message, [{ field: 'file', message }]);
}

/**
 * Imports trial arms from a CSV in the shipped shape or a ClinicalTrials.gov API v2 study
 * record (JSON). Any bad row refuses the whole file, so nothing is half-imported.
 */
export async function importEvidence(ctx: AppContext, fileName: string, text: string) {
  checkEvidenceImportSize(fileName, Buffer.byteLength(text, 'utf8'));
  let arms: TrialArm[];
  let refused: { outcome: string; reason: string }[] = [];
  if (/\.json$/i.test(fileName) || text.trimStart().startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw invalid(
        `${fileName} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const result = importCtGovStudy(json);
    if (!result.ok) throw invalid(result.message);
    arms = result.result.arms;
    refused = result.result.refused;
  } else {
    const csv = parseCsv(text);
    const read =
      csv.problems.length > 0
        ? { arms: [], problems: csv.problems }
        : trialArmsFromTable(csv.table);
    if (read.problems.length > 0)
      throw invalid(`${fileName} has ${read.problems.length} problem(s); nothing was imported`, [
        ...read.problems.slice(0, MAX_LISTED_PROBLEMS).map((p) => ({
          field: `row ${p.row}${p.column ? `, column ${p.column}` : ''}`,
          message: p.message,
        })),
        ...(read.problems.length > MAX_LISTED_PROBLEMS
          ? [
              {
                field: 'file',
                message: `and ${read.problems.length - MAX_LISTED_PROBLEMS} more problem(s)`,
              },
            ]
          : []),
      ]);
    arms = read.arms;
  }
  const imported = await ctx.db.transaction((tx) => upsertArms(tx, arms, fileName));
  return { imported, refused };
}

/** The site's uncontrolled pain change beside the trial evidence (cell-based treatments only). */
export async function registryEvidence(ctx: AppContext, actor: UserActor) {
  requireRole(actor, ALL_ROLES);
  const scope = scopeOf(actor);
  const registry: RegistryPainChange[] = [];
  for (const [timepoint, months] of [
    ['m6', 6],
    ['m12', 12],
  ] as const) {
    const changes = await painChanges(ctx.db, scope, timepoint, CELL_PRODUCTS);
    registry.push({ timepoint, months, change: meanWithCi(changes) });
  }
  await auditUser(ctx.db, actor, 'read-aggregate', 'registry-vs-evidence', null, null);
  // The numbers only: this view draws no forest plots.
  const { arms } = await trialArms(ctx);
  return {
    comparisons: registryVsEvidence(registry, shippedEvidence().summaries, poolTrials(arms)),
  };
}
