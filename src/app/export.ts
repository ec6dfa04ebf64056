import { z } from 'zod';
import {
  dataDictionaryCsv,
  type ExportMode,
  fhirBundle,
  tidyScoresCsv,
} from '../core/analytics/export.ts';
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
