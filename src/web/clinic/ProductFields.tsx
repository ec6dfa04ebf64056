import {
  CHARACTERISATION_FIELDS,
  CHOICE_LABELS,
  type Characterisation,
  type CharacterisationField,
  deriveProduct,
  type FieldGroup,
  groupsFor,
} from '../../core/registry/characterisation.ts';
import type { ApiError } from '../api.ts';
import { Field, optionalNumber } from '../ui/Field.tsx';
import { capitalise, label as words } from '../ui/format.ts';

const GROUP_TITLES: Record<FieldGroup, string> = {
  prp: 'PRP composition and preparation',
  cell: 'Cell product',
  injection: 'This injection',
};

const GROUP_HINTS: Record<FieldGroup, string> = {
  prp: 'From the lab sheet. Counts in thousands per µL (×10³/µL); PAW, PLRA and the platelet dose are worked out from them.',
  cell: 'Cells injected go in “Cells injected” above. Leave a value empty if it was not measured.',
  injection: 'Image guidance is chosen above.',
};

const fieldLabel = (f: CharacterisationField) =>
  f.unit ? `${f.label} (${f.unit.display})` : f.label;

/** The characterisation inputs for a product class, in fieldsets by group; names `characterisation.<key>`. */
export function ProductFields({
  productClass,
  error,
}: {
  productClass: string;
  error: ApiError | null;
}) {
  if (!productClass) return null;
  return (
    <>
      {groupsFor(productClass).map((group) => (
        <fieldset key={group} className="product-fields">
          <legend>{GROUP_TITLES[group]}</legend>
          <p className="hint">{GROUP_HINTS[group]}</p>
          <div className="field-grid">
            {CHARACTERISATION_FIELDS.filter(
              (f) => f.group === group && (f.key !== 'passages' || isCultured(productClass)),
            ).map((f: CharacterisationField) => (
              <Field
                key={f.key}
                label={fieldLabel(f)}
                name={`characterisation.${f.key}`}
                error={error}
                {...(f.hint ? { hint: f.hint } : {})}
              >
                {(p) =>
                  f.kind === 'choice' ? (
                    <select {...p} defaultValue="">
                      <option value="">Not recorded</option>
                      {(f.choices ?? []).map((c) => (
                        <option key={c} value={c}>
                          {CHOICE_LABELS[c] ?? capitalise(words(c))}
                        </option>
                      ))}
                    </select>
                  ) : f.kind === 'text' && (f.maxLength ?? 0) > 200 ? (
                    <textarea {...p} rows={2} maxLength={f.maxLength} />
                  ) : (
                    <input
                      {...p}
                      inputMode={
                        f.kind === 'number'
                          ? 'decimal'
                          : f.kind === 'integer'
                            ? 'numeric'
                            : undefined
                      }
                      maxLength={f.maxLength}
                    />
                  )
                }
              </Field>
            ))}
          </div>
        </fieldset>
      ))}
    </>
  );
}

const isCultured = (productClass: string) => ['BM-MSC', 'AD-MSC', 'UC-MSC'].includes(productClass);

/** The characterisation typed into the form, for the product's groups only. */
export function characterisationFrom(
  productClass: string,
  values: Record<string, string>,
): Record<string, string | number> {
  const groups = groupsFor(productClass);
  const out: Record<string, string | number> = {};
  for (const f of CHARACTERISATION_FIELDS) {
    if (!groups.includes(f.group)) continue;
    const raw = values[`characterisation.${f.key}`];
    if (raw === undefined || raw.trim() === '') continue;
    out[f.key] = f.kind === 'number' || f.kind === 'integer' ? (optionalNumber(raw) ?? raw) : raw;
  }
  return out;
}

const show = (v: number) => (Math.round(v * 100) / 100).toLocaleString('en-GB');

/**
 * What a treatment's product was, in a line or two: recorded values with units, the platelet
 * dose, and PAW and PLRA with where their rules were read (or what they still need).
 */
export function ProductSummary({
  productClass,
  characterisation,
  volumeMl,
}: {
  productClass: string;
  characterisation: Characterisation;
  volumeMl: number;
}) {
  const recorded = (CHARACTERISATION_FIELDS as readonly CharacterisationField[]).filter((f) => {
    const v = characterisation[f.key as keyof Characterisation];
    return v !== undefined && v !== null && v !== '';
  });
  const derived = deriveProduct(productClass, characterisation, volumeMl);
  if (recorded.length === 0 && !derived.paw) return null;
  return (
    <div className="product-summary">
      {recorded.length > 0 && (
        <dl className="product-values">
          {recorded.map((f) => {
            const v = characterisation[f.key as keyof Characterisation];
            const value =
              typeof v === 'number'
                ? show(v)
                : f.kind === 'choice'
                  ? (CHOICE_LABELS[String(v)] ?? String(v))
                  : String(v);
            const unit = !f.unit ? '' : f.unit.display === '%' ? '%' : ` ${f.unit.display}`;
            return (
              <div key={f.key}>
                <dt>{f.label}</dt>
                <dd>
                  {value}
                  {unit}
                </dd>
              </div>
            );
          })}
        </dl>
      )}
      {derived.paw && (
        <p>
          {derived.plateletDoseBillions !== null && (
            <>
              Platelet dose <strong>{show(derived.plateletDoseBillions)} ×10⁹</strong>
              {derived.plateletFoldIncrease !== null &&
                ` (${show(derived.plateletFoldIncrease)}× whole blood)`}
              {' · '}
            </>
          )}
          PAW <strong>{derived.paw.code ?? 'not classified'}</strong>
          {' · '}PLRA <strong>{derived.plra?.code ?? 'not classified'}</strong>
          {(!derived.paw.code || !derived.plra?.code) && (
            <span className="muted">
              {' '}
              (needs{' '}
              {[...new Set([...derived.paw.missing, ...(derived.plra?.missing ?? [])])].join(', ')})
            </span>
          )}
          <br />
          <small className="muted">
            Cut-offs read in secondary sources, not the original papers (unverified against them):{' '}
            {derived.paw.source}. {derived.plra?.source}.
          </small>
        </p>
      )}
    </div>
  );
}
