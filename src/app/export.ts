import { z } from 'zod';
import {
  dataDictionaryCsv,
  type ExportMode,
  fhirBundle,
  tidyScoresCsv,
} from '../core/analytics/export.ts';
import { parseCsv } from '../core/tabular/csv.ts';
import { parseInput } from '../core/validation.ts';
import { appendAudit } from '../store/audit.repo.ts';
import { registryExport } from '../store/export.repo.ts';
import type { SiteScope } from '../store/scope.ts';
import { ALL_ROLES, type AppContext, requireRole, scopeOf, type UserActor } from './context.ts';

export const EXPORT_KINDS = ['scores', 'data-dictionary', 'fhir'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

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
): Promise<ExportFile> {
  const suffix = mode === 'identified' ? '-identified' : '';
  if (kind === 'data-dictionary')
    return {
      body: dataDictionaryCsv(mode),
      contentType: 'text/csv; charset=utf-8',
      fileName: `data-dictionary${suffix}.csv`,
    };
  const data = await registryExport(ctx.db, scope);
  if (kind === 'scores')
    return {
      body: tidyScoresCsv(data, mode),
      contentType: 'text/csv; charset=utf-8',
      fileName: `scores${suffix}.csv`,
    };
  return {
    body: `${JSON.stringify(fhirBundle(data, mode, ctx.now()), null, 2)}\n`,
    contentType: 'application/fhir+json',
    fileName: `bundle${suffix}.json`,
  };
}

/** One file of an export folder, with how many records it holds (for progress lines). */
export interface ExportFolderFile {
  fileName: string;
  body: string;
  count: number;
  counted: 'rows' | 'resources';
}

/**
 * A registry export as the files of a folder: the scores CSV and its dictionary, and the
 * FHIR resources in the FHIR Bulk Data format (one NDJSON file per resource type, one
 * resource per line, no Bundle), which analysis tools read line by line.
 * https://hl7.org/fhir/uv/bulkdata/export.html#file-format
 */
export async function buildExportFolder(
  ctx: AppContext,
  scope: SiteScope,
  mode: ExportMode,
): Promise<{ patients: number; treatments: number; responses: number; files: ExportFolderFile[] }> {
  const suffix = mode === 'identified' ? '-identified' : '';
  const data = await registryExport(ctx.db, scope);
  const rowsOf = (csv: string) => parseCsv(csv).table.rows.length;
  const scores = tidyScoresCsv(data, mode);
  const dictionary = dataDictionaryCsv(mode);
  const files: ExportFolderFile[] = [
    { fileName: `scores${suffix}.csv`, body: scores, count: rowsOf(scores), counted: 'rows' },
    {
      fileName: `data-dictionary${suffix}.csv`,
      body: dictionary,
      count: rowsOf(dictionary),
      counted: 'rows',
    },
  ];
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
  await appendAudit(ctx.db, {
    siteId: actor.user.siteId,
    actorKind: 'user',
    actorUserId: actor.user.id,
    action: 'export',
    entity: 'registry',
    entityId: null,
    patientId: null,
    detail: { kind, mode },
  });
  return file;
}
