import { notFound } from '../errors.ts';
import { type InstrumentDefinition, instrumentDefinitionSchema } from './definition.ts';
import koos from './definitions/koos.json' with { type: 'json' };
import nrsPain from './definitions/nrs-pain.json' with { type: 'json' };

/** The instruments StemTrack ships; each file is checked against the schema when loaded. */
export const BUILT_IN_INSTRUMENTS: readonly InstrumentDefinition[] = [nrsPain, koos].map((raw) =>
  instrumentDefinitionSchema.parse(raw),
);

const byId = new Map(BUILT_IN_INSTRUMENTS.map((d) => [d.id, d]));

export function instrumentById(id: string): InstrumentDefinition {
  const def = byId.get(id);
  if (!def) throw notFound(`Instrument ${id}`);
  return def;
}

export function isKnownInstrument(id: string): boolean {
  return byId.has(id);
}

/** Instruments offered by default for a joint: the generic pain NRS plus the joint's own PROM. */
export function defaultInstrumentsFor(joint: string): string[] {
  return BUILT_IN_INSTRUMENTS.filter(
    (d) => d.joints.includes('any') || d.joints.includes(joint),
  ).map((d) => d.id);
}
