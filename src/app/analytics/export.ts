import { readFileSync } from 'node:fs';
import { z } from 'zod';
import {
  dataDictionaryCsv,
  type ExportInput,
  type ExportMode,
  exportTableCsv,
  fhirBundle,
  scalesCsv,
} from '../../core/analytics/export.ts';
import { figuresCsv, headlineFigures } from '../../core/analytics/figures.ts';
import { allInstruments } from '../../core/instruments/library.ts';
import { parseCsv } from '../../core/tabular/csv.ts';
import { parseInput } from '../../core/validation.ts';
import { registryExport } from '../../store/export.repo.ts';
import type { SiteScope } from '../../store/scope.ts';
import {
  ALL_ROLES,
  type AppContext,
  auditUser,
  requireRole,
  scopeOf,
  type UserActor,
} from '../context.ts';
import { safetyReport } from '../registry/adverse-events.ts';
import { durabilityReport, outcomeReport } from './report.ts';

/** Each file of an export by kind, with its name; `stemtrack export` writes them all. */
export const EXPORT_FILES = {
  scores: 'scores.csv',
  joints: 'joints.csv',
  treatments: 'treatments.csv',
  'later-events': 'later-events.csv',
  'adverse-events': 'adverse-events.csv',
  scales: 'scales.csv',
  'data-dictionary': 'data-dictionary.csv',
  figures: 'figures.csv',
  reproduce: 'reproduce.R',
  fhir: 'bundle.json',
} as const satisfies Record<string, string>;
export type ExportKind = keyof typeof EXPORT_FILES;
export const EXPORT_KINDS = Object.keys(EXPORT_FILES) as ExportKind[];

/** The R script that recomputes the headline figures from the CSVs (shipped beside this file). */
const REPRODUCE_R = readFileSync(new URL('./reproduce.R', import.meta.url), 'utf8');

const exportQuerySchema = z.strictObject({
  identified: z.enum(['true', 'false'], { error: 'identified is true or false' }).optional(),
});

/** The export file's body, media type and download name. */
export interface ExportFile {
  body: string;
  contentType: string;
  fileName: string;
}

/** Builds one export of a registry; pure of who asked (the CLI uses it too). */
export async function buildExport(
  ctx: AppContext,
  scope: SiteScope,
  kind: ExportKind,
  mode: ExportMode,
  /** The registry's rows when the caller has read them already (a folder of files). */
  read?: ExportInput,
): Promise<ExportFile> {
  const suffix = mode === 'identified' ? '-identified' : '';
  const fileName = EXPORT_FILES[kind].replace(/\.(csv|json)$/, `${suffix}.$1`);
  const csv = (body: string) => ({ body, contentType: 'text/csv; charset=utf-8', fileName });
  if (kind === 'data-dictionary') return csv(dataDictionaryCsv(mode));
  if (kind === 'scales') return csv(scalesCsv(allInstruments()));
  if (kind === 'reproduce')
    return { body: REPRODUCE_R, contentType: 'text/plain; charset=utf-8', fileName };
  if (kind === 'figures') {
    const [outcomes, durability, safety] = [
      await outcomeReport(ctx.db, { siteId: scope.siteId }),
      await durabilityReport(ctx.db, scope.siteId, {}),
      await safetyReport(ctx.db, scope.siteId, {}),
    ];
    return csv(
      figuresCsv(
        headlineFigures({
          outcomes: outcomes.outcomes,
          trajectories: outcomes.trajectories,
          durability,
          safety: safety.byProduct,
        }),
      ),
    );
  }
  const data = read ?? (await registryExport(ctx.db, scope));
  // Formatting the whole registry takes seconds at scale: on the compute pool when there is one.
  if (kind === 'fhir')
    return {
      body: ctx.compute
        ? await ctx.compute.run('fhir', { data, mode, now: ctx.now() })
        : fhirBundleText({ data, mode, now: ctx.now() }),
      contentType: 'application/fhir+json',
      fileName,
    };
  const file = EXPORT_FILES[kind];
  return csv(
    ctx.compute
      ? await ctx.compute.run('export-csv', { file, data, mode })
      : exportTableCsv(file, data, mode),
  );
}

/** The FHIR bundle of an export as the text served (pure; the compute pool runs it). */
export function fhirBundleText(input: {
  data: Parameters<typeof fhirBundle>[0];
  mode: ExportMode;
  now: Date;
}): string {
  return `${JSON.stringify(fhirBundle(input.data, input.mode, input.now), null, 2)}\n`;
}

/** One file of an export folder, with how many records it holds (for progress lines). */
export interface ExportFolderFile {
  fileName: string;
  body: string;
  count: number;
  counted: 'rows' | 'resources' | 'lines';
}

/**
 * A registry export as the files of a folder: every CSV with its dictionary, the headline
 * figures and the R script that recomputes them, and the FHIR resources in the FHIR Bulk Data
 * format (one NDJSON file per resource type, one resource per line, no Bundle), which analysis
 * tools read line by line. https://hl7.org/fhir/uv/bulkdata/export.html#file-format
 */
export async function buildExportFolder(
  ctx: AppContext,
  scope: SiteScope,
  mode: ExportMode,
): Promise<{ patients: number; treatments: number; responses: number; files: ExportFolderFile[] }> {
  const suffix = mode === 'identified' ? '-identified' : '';
  const data = await registryExport(ctx.db, scope);
  const files: ExportFolderFile[] = [];
  for (const kind of EXPORT_KINDS) {
    if (kind === 'fhir') continue;
    const file = await buildExport(ctx, scope, kind, mode, data);
    files.push(
      kind === 'reproduce'
        ? { ...file, count: file.body.split('\n').length, counted: 'lines' }
        : { ...file, count: parseCsv(file.body).table.rows.length, counted: 'rows' },
    );
  }
  // The same resources the Bundle download holds, grouped by type in the Bundle's order.
  const byType = new Map<string, string[]>();
  for (const { resource } of fhirBundle(data, mode, ctx.now()).entry) {
    const lines = byType.get(resource.resourceType) ?? [];
    lines.push(JSON.stringify(resource));
    byType.set(resource.resourceType, lines);
  }
  for (const [type, lines] of byType)
    files.push({
      fileName: `${type}${suffix}.ndjson`,
      body: `${lines.join('\n')}\n`,
      count: lines.length,
      counted: 'resources',
    });
  return {
    patients: data.patients.length,
    treatments: data.treatments.length,
    responses: data.responses.length,
    files,
  };
}

/**
 * A registry export for a signed-in user: de-identified for every role; identified only for
 * admins. Every export, of either kind, is written to the audit log.
 */
export async function exportForUser(
  ctx: AppContext,
  actor: UserActor,
  kind: ExportKind,
  query: unknown,
): Promise<ExportFile> {
  requireRole(actor, ALL_ROLES);
  const mode: ExportMode =
    parseInput(exportQuerySchema, query).identified === 'true' ? 'identified' : 'deidentified';
  if (mode === 'identified') requireRole(actor, ['admin']);
  const file = await buildExport(ctx, scopeOf(actor), kind, mode);
  await auditUser(ctx.db, actor, 'export', 'registry', null, null, { kind, mode });
  return file;
}
