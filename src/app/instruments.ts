import { invalid } from '../core/errors.ts';
import {
  instrumentDefinitionSchema,
  itemsOf,
  type ScaleDefinition,
} from '../core/instruments/definition.ts';
import {
  allInstruments,
  checkDefinitionFile,
  instrumentById,
  isBuiltInInstrument,
  isKnownInstrument,
  registerLicensedInstrument,
  registerTranslation,
} from '../core/instruments/library.ts';
import { askedWithin } from '../core/instruments/shared-items.ts';
import { parseTranslation } from '../core/instruments/translation.ts';
import type { Db, Queryable } from '../store/db.ts';
import {
  listInstrumentTranslations,
  listLicensedInstruments,
  upsertInstrumentTranslation,
  upsertLicensedInstrument,
} from '../store/instruments.repo.ts';
import { ALL_ROLES, requireRole, type UserActor } from './context.ts';

/** Validates and stores a licensed instrument definition; a bad file is refused whole. */
export async function importLicensedInstrument(q: Queryable, fileName: string, text: string) {
  const check = checkDefinitionFile(text);
  if (!check.ok)
    throw invalid(
      `${fileName} is not a valid instrument definition; nothing was imported`,
      check.problems.map((p) => ({ field: p.path, message: p.message })),
    );
  const outcome = await upsertLicensedInstrument(q, check.definition, fileName);
  return { definition: check.definition, outcome };
}

/** Registers every stored licensed definition; run once at start-up. Returns their ids. */
export async function loadLicensedInstruments(db: Db): Promise<string[]> {
  const rows = await listLicensedInstruments(db);
  for (const row of rows)
    registerLicensedInstrument(instrumentDefinitionSchema.parse(row.definition));
  return rows.map((r) => r.id);
}

/**
 * Validates a translation file against its instrument and stores it; a bad file is refused
 * whole, naming every problem (a missing or extra item or answer, no source or terms of use).
 */
export async function importInstrumentTranslation(q: Queryable, fileName: string, text: string) {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw invalid(`${fileName} is not JSON: ${(e as Error).message}; nothing was imported`);
  }
  const id = (json as { instrument?: unknown } | null)?.instrument;
  if (typeof id !== 'string' || !isKnownInstrument(id))
    throw invalid(`${fileName} names no instrument this registry has; nothing was imported`, [
      {
        field: 'instrument',
        message: `Give the id of a shipped or imported instrument (${allInstruments()
          .map((d) => d.id)
          .join(', ')})`,
      },
    ]);
  const translation = parseTranslation(instrumentById(id), json);
  const outcome = await upsertInstrumentTranslation(q, translation, fileName);
  registerTranslation(translation);
  return { translation, outcome };
}

/** Registers every stored translation that still fits its instrument; run once at start-up. */
export async function loadInstrumentTranslations(db: Db): Promise<string[]> {
  const loaded: string[] = [];
  for (const row of await listInstrumentTranslations(db)) {
    const id = (row.translation as { instrument?: string }).instrument ?? '';
    if (!isKnownInstrument(id)) continue;
    registerTranslation(parseTranslation(instrumentById(id), row.translation));
    loaded.push(`${id} (${(row.translation as { language: string }).language})`);
  }
  return loaded;
}

/**
 * Every questionnaire this registry can ask, with what a clinic or researcher needs to trust
 * its scores: source, terms of use, scoring and missing-item rules, thresholds, LOINC codes.
 */
export function instrumentCatalogue(actor: UserActor) {
  requireRole(actor, ALL_ROLES);
  const all = allInstruments();
  return all.map((def) => ({
    id: def.id,
    name: def.name,
    shortName: def.shortName,
    version: def.version,
    joints: def.joints,
    builtIn: isBuiltInInstrument(def.id),
    offeredByDefault: def.offeredByDefault !== false,
    askedWithin: askedWithin(def, all),
    itemCount: itemsOf(def).length,
    source: def.source,
    termsOfUse: def.termsOfUse,
    loinc: def.loinc ?? null,
    caveat: def.caveat ?? null,
    askedAt: def.askedAt ?? 'any',
    scales: def.scales.map((scale) => ({
      id: scale.id,
      name: scale.name,
      shortName: scale.shortName,
      itemCount: scale.items.length,
      scoring: scoringInWords(scale.method),
      minAnswered: scale.minAnswered,
      missingRule: scale.missingRule,
      range: scale.range,
      higherIsBetter: scale.higherIsBetter,
      mcid: scale.interpretation?.mcid ?? null,
      pass: scale.interpretation?.pass ?? null,
      relativeMcid: scale.interpretation?.relativeMcid ?? null,
      loinc: scale.loinc ?? null,
      caveat: scale.caveat ?? null,
    })),
  }));
}

/**
 * One instrument's questions as the patient reads them: sections, item text and the words of
 * each answer (the definition the survey page gets), so a clinician correcting answers sees
 * words, never item codes. An unknown id is not found.
 */
export function instrumentQuestions(actor: UserActor, id: string) {
  requireRole(actor, ALL_ROLES);
  const def = instrumentById(id);
  return {
    id: def.id,
    name: def.name,
    shortName: def.shortName,
    sections: def.sections,
    responseSets: def.responseSets,
    scales: def.scales.map((scale) => ({
      id: scale.id,
      name: scale.name,
      shortName: scale.shortName,
    })),
  };
}

/** The scoring rule as one or two sentences, each ending with a full stop. */
function scoringInWords(method: ScaleDefinition['method']): string {
  const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);
  switch (method.kind) {
    case 'single-item':
      return 'The answer itself.';
    case 'mean-rescaled':
      return method.invert
        ? `Mean of the answered items, turned to 0–100 with 100 the best (100 − mean × 100/${method.itemMax - method.itemMin}).`
        : `Mean of the answered items, turned to 0–100 (mean × 100/${method.itemMax - method.itemMin}).`;
    case 'summed-table':
      return `Sum of the items, converted with the published table. The table: ${sentence(method.tableSource)}`;
    case 'mean-of-scales':
      return `Mean of the ${method.scales.join(', ')} scores.`;
  }
}
