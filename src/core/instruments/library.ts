import { notFound } from '../errors.ts';
import { inWords } from '../validation.ts';
import { type InstrumentDefinition, instrumentDefinitionSchema } from './definition.ts';
import hoos from './definitions/hoos.json' with { type: 'json' };
import hoosJr from './definitions/hoos-jr.json' with { type: 'json' };
import koos from './definitions/koos.json' with { type: 'json' };
import koos12 from './definitions/koos-12.json' with { type: 'json' };
import koosJr from './definitions/koos-jr.json' with { type: 'json' };
import nrsPain from './definitions/nrs-pain.json' with { type: 'json' };
import patientGlobal from './definitions/patient-global.json' with { type: 'json' };
import promisGlobal10 from './definitions/promis-global-10.json' with { type: 'json' };
import satisfactionWork from './definitions/satisfaction-work.json' with { type: 'json' };
import type { InstrumentTranslation } from './translation.ts';

/** The instruments StemTrack ships; each file is checked against the schema when loaded. */
export const BUILT_IN_INSTRUMENTS: readonly InstrumentDefinition[] = [
  nrsPain,
  koos,
  koos12,
  koosJr,
  hoos,
  hoosJr,
  promisGlobal10,
  patientGlobal,
  satisfactionWork,
].map((raw) => instrumentDefinitionSchema.parse(raw));

const builtIn = new Map(BUILT_IN_INSTRUMENTS.map((d) => [d.id, d]));
/**
 * Definitions a registry imported under its own licence (WOMAC, Oxford, EQ-5D…), registered
 * once at start-up from the database. Kept apart so a built-in can never be replaced.
 */
const licensed = new Map<string, InstrumentDefinition>();

export function registerLicensedInstrument(def: InstrumentDefinition): void {
  if (builtIn.has(def.id)) throw new Error(`${def.id} is a built-in instrument`);
  licensed.set(def.id, def);
}

/** Checked translation files by instrument id, registered at start-up from the database. */
const translations = new Map<string, InstrumentTranslation[]>();

export function registerTranslation(t: InstrumentTranslation): void {
  const others = (translations.get(t.instrument) ?? []).filter((o) => o.language !== t.language);
  translations.set(t.instrument, [...others, t]);
}

/** The translations registered for an instrument, in any language. */
export function translationsOf(instrumentId: string): readonly InstrumentTranslation[] {
  return translations.get(instrumentId) ?? [];
}

/** For tests: forget every registered translation. */
export function clearTranslations(): void {
  translations.clear();
}

/** For tests: forget every licensed definition. */
export function clearLicensedInstruments(): void {
  licensed.clear();
}

export function allInstruments(): InstrumentDefinition[] {
  return [...BUILT_IN_INSTRUMENTS, ...licensed.values()];
}

export function instrumentById(id: string): InstrumentDefinition {
  const def = builtIn.get(id) ?? licensed.get(id);
  if (!def) throw notFound(`Instrument ${id}`);
  return def;
}

export function isKnownInstrument(id: string): boolean {
  return builtIn.has(id) || licensed.has(id);
}

export function isBuiltInInstrument(id: string): boolean {
  return builtIn.has(id);
}

/** Instruments offered by default for a joint: the generic pain NRS plus the joint's own PROM. */
export function defaultInstrumentsFor(joint: string): string[] {
  return BUILT_IN_INSTRUMENTS.filter(
    (d) => d.offeredByDefault !== false && (d.joints.includes('any') || d.joints.includes(joint)),
  ).map((d) => d.id);
}

/**
 * The instruments of a survey at a time point: those asked only at follow-up (satisfaction
 * with a treatment's result) are left out at baseline.
 */
export function instrumentsAt(ids: readonly string[], timepoint: string): string[] {
  return ids.filter(
    (id) =>
      timepoint !== 'baseline' ||
      !isKnownInstrument(id) ||
      instrumentById(id).askedAt !== 'follow-up',
  );
}

export type DefinitionCheck =
  | { ok: true; definition: InstrumentDefinition }
  | { ok: false; problems: { path: string; message: string }[] };

/**
 * Checks an instrument definition file a registry wants to import (text of a JSON file):
 * valid JSON, every field the schema needs, consistent items and scales, and an id that
 * does not shadow a built-in instrument.
 */
export function checkDefinitionFile(text: string): DefinitionCheck {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      problems: [
        {
          path: '(file)',
          message: `Not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
        },
      ],
    };
  }
  const parsed = instrumentDefinitionSchema.safeParse(json, { error: inWords });
  if (!parsed.success)
    return {
      ok: false,
      problems: parsed.error.issues.map((i) => ({
        path: i.path.join('.') || '(file)',
        message: i.message,
      })),
    };
  if (builtIn.has(parsed.data.id))
    return {
      ok: false,
      problems: [
        {
          path: 'id',
          message: `${parsed.data.id} is a built-in instrument; give the licensed one another id`,
        },
      ],
    };
  return { ok: true, definition: parsed.data };
}
