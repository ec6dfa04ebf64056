import { useState } from 'react';
import { api } from '../api.ts';
import { Field, FormError, optionalNumber } from '../ui/Field.tsx';
import { label as words } from '../ui/format.ts';
import { useFormSubmit } from '../ui/useFormSubmit.ts';

export interface CorrectionField {
  name: string;
  label: string;
  kind: 'text' | 'number' | 'date' | 'select';
  value: string | number | null;
  options?: readonly (string | number)[];
  /** The words for an option (a vocabulary code's label); the option itself by default. */
  optionLabel?: (option: string) => string;
}

/**
 * "Correct" (or "Entered in error") on one recorded fact: a small form with the field(s) and a
 * required reason. Only the fields whose value changed are sent; the server refuses an empty
 * correction, a missing reason or a bad value, naming the field.
 */
export function CorrectionDialog({
  label,
  path,
  fields,
  onSaved,
}: {
  /** The button's words, e.g. "Correct" or "Entered in error". */
  label: string;
  /** API path: PATCH it with the changes, or POST it (no fields: entered in error). */
  path: string;
  fields: readonly CorrectionField[];
  onSaved: () => void;
}) {
  const [open, setOpen] = useState(false);
  const { error, busy, onSubmit } = useFormSubmit(async (values) => {
    const changes: Record<string, unknown> = {};
    for (const f of fields) {
      const given = values[f.name] ?? '';
      if (given === String(f.value ?? '')) continue;
      const value =
        f.kind === 'number' || typeof f.value === 'number'
          ? (optionalNumber(given) ?? null)
          : given;
      // A dotted name is a field of an object: `characterisation.productPlateletsK`.
      const [outer, inner] = f.name.split('.');
      if (outer && inner)
        changes[outer] = {
          ...(changes[outer] as object | undefined),
          [inner]: value === '' ? null : value,
        };
      else changes[f.name] = value;
    }
    await api(fields.length > 0 ? 'PATCH' : 'POST', path, {
      ...changes,
      ...(values.confirmImplausible === 'on' ? { confirmImplausible: true } : {}),
      reason: values.reason,
    });
    setOpen(false);
    onSaved();
  });
  if (!open)
    return (
      <button type="button" className="link-button" onClick={() => setOpen(true)}>
        {label}
      </button>
    );
  return (
    <form onSubmit={onSubmit} className="card correction" aria-label={label} noValidate>
      <FormError error={error} />
      {fields.map((f) => (
        <Field key={f.name} label={f.label} name={f.name} error={error}>
          {(p) =>
            f.kind === 'select' ? (
              <select {...p} defaultValue={String(f.value ?? '')}>
                {(f.options ?? []).map((o) => (
                  <option key={String(o)} value={String(o)}>
                    {o === '' ? 'Not recorded' : (f.optionLabel ?? words)(String(o))}
                  </option>
                ))}
              </select>
            ) : (
              <input
                {...p}
                type={f.kind === 'date' ? 'date' : 'text'}
                inputMode={f.kind === 'number' ? 'decimal' : undefined}
                defaultValue={String(f.value ?? '')}
              />
            )
          }
        </Field>
      ))}
      {error?.fieldMessage('confirmImplausible') && (
        <div className="field field-error confirm">
          <label>
            <input type="checkbox" name="confirmImplausible" /> I have checked the unusual values
            marked above; they are right
          </label>
        </div>
      )}
      <Field label="Reason (required)" name="reason" error={error}>
        {(p) => <textarea {...p} maxLength={500} rows={2} required />}
      </Field>
      <button type="submit" disabled={busy}>
        {fields.length > 0 ? 'Save correction' : 'Remove as entered in error'}
      </button>{' '}
      <button type="button" onClick={() => setOpen(false)}>
        Cancel
      </button>
    </form>
  );
}
