import {
  CHARACTERISATION_FIELDS,
  type Characterisation,
  deriveProduct,
} from '../registry/characterisation.ts';
import { DEFAULT_FHIR_BASE } from './instruments.ts';
import type { Observation } from './r4.ts';

const UCUM = 'http://unitsofmeasure.org';

/**
 * A treatment's product characterisation as FHIR R4 Observations, each `partOf` the
 * treatment's Procedure and coded in StemTrack's own system (no LOINC code describes a PRP or
 * cell-product count as such): numbers as UCUM quantities, choices (and, identified, text) as strings, and
 * the derived platelet dose, fold increase, PAW and PLRA with the rule's source in a note.
 */
export function productObservations(
  t: {
    id: string;
    productClass: string;
    volumeMl: number;
    characterisation?: Characterisation | undefined;
  },
  refs: { procedure: string; subject: string; effective: string },
  /** Free-text fields (device, protocols) may name a person: identified exports only. */
  options: { freeText: boolean },
  base = DEFAULT_FHIR_BASE,
): Observation[] {
  const c = t.characterisation ?? {};
  const common = (code: string, display: string) => ({
    resourceType: 'Observation' as const,
    id: `${t.id}-${code}`,
    status: 'final' as const,
    code: { coding: [{ system: `${base}:product`, code, display }], text: display },
    subject: { reference: refs.subject },
    effectiveDateTime: refs.effective,
    partOf: [{ reference: refs.procedure }],
  });
  const out: Observation[] = [];
  for (const f of CHARACTERISATION_FIELDS) {
    const v = c[f.key];
    if (v === undefined || v === null) continue;
    if (f.kind === 'text' && !options.freeText) continue;
    const unit = 'unit' in f ? f.unit : undefined;
    if (typeof v === 'number')
      out.push({
        ...common(f.key, f.label),
        valueQuantity: {
          value: v,
          ...(unit ? { unit: unit.display, system: UCUM, code: unit.ucum } : {}),
        },
      });
    else out.push({ ...common(f.key, f.label), valueString: v });
  }
  const derived = deriveProduct(t.productClass, c, t.volumeMl);
  if (derived.plateletDoseBillions !== null)
    out.push({
      ...common('plateletDoseBillions', 'Platelet dose'),
      valueQuantity: {
        value: derived.plateletDoseBillions,
        unit: '×10⁹ platelets',
        system: UCUM,
        code: '10*9',
      },
    });
  if (derived.plateletFoldIncrease !== null)
    out.push({
      ...common('plateletFoldIncrease', 'Platelet fold increase over whole blood'),
      valueQuantity: {
        value: derived.plateletFoldIncrease,
        unit: 'ratio',
        system: UCUM,
        code: '1',
      },
    });
  for (const [code, display, cls] of [
    ['paw', 'PAW classification', derived.paw],
    ['plra', 'PLRA classification', derived.plra],
  ] as const)
    if (cls?.code)
      out.push({ ...common(code, display), valueString: cls.code, note: [{ text: cls.source }] });
  return out;
}
