import { useState } from 'react';
import { PATIENT_EVENT_KINDS } from '../../core/registry/events.ts';
import { api } from '../api.ts';
import { Field, FormError } from '../ui/Field.tsx';
import { useFormSubmit } from '../ui/useFormSubmit.ts';

/** "Record event" (including death) and "Withdraw consent" (keep the data or erase the patient). */
export function PatientActions({
  patientId,
  registryId,
  episodes,
  onSaved,
  onErased,
}: {
  patientId: string;
  registryId: string;
  episodes: readonly { id: string; joint: string; side: string }[];
  onSaved: () => void;
  onErased: () => void;
}) {
  const [open, setOpen] = useState<'event' | 'withdraw' | null>(null);
  const [kind, setKind] = useState('arthroplasty');
  const [data, setData] = useState<'keep' | 'erase'>('keep');
  const event = useFormSubmit(async (v) => {
    await api('POST', `/patients/${patientId}/events`, {
      kind: v.kind,
      date: v.date,
      ...(v.kind === 'death' ? {} : { episodeId: v.episodeId }),
    });
    setOpen(null);
    onSaved();
  });
  const withdraw = useFormSubmit(async (v) => {
    await api('POST', `/patients/${patientId}/withdraw`, {
      data: v.data,
      reason: v.reason,
      ...(v.data === 'erase' ? { confirm: v.confirm ?? '' } : {}),
    });
    setOpen(null);
    if (v.data === 'erase') onErased();
    else onSaved();
  });
  return (
    <section aria-label="Patient actions" className="actions">
      <button type="button" onClick={() => setOpen(open === 'event' ? null : 'event')}>
        Record event
      </button>{' '}
      <button type="button" onClick={() => setOpen(open === 'withdraw' ? null : 'withdraw')}>
        Withdraw consent
      </button>
      {open === 'event' && (
        <form onSubmit={event.onSubmit} className="card" aria-label="Record event" noValidate>
          <FormError error={event.error} />
          <Field label="Event" name="kind" error={event.error}>
            {(p) => (
              <select {...p} value={kind} onChange={(e) => setKind(e.target.value)}>
                {PATIENT_EVENT_KINDS.map((k) => (
                  <option key={k.code} value={k.code}>
                    {k.label}
                  </option>
                ))}
                <option value="death">Death</option>
              </select>
            )}
          </Field>
          {kind !== 'death' && (
            <Field label="Joint" name="episodeId" error={event.error}>
              {(p) => (
                <select {...p}>
                  {episodes.map((e) => (
                    <option key={e.id} value={e.id}>
                      {e.side} {e.joint}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          )}
          <Field label="Date" name="date" error={event.error}>
            {(p) => <input {...p} type="date" />}
          </Field>
          <button type="submit" disabled={event.busy}>
            Save event
          </button>
        </form>
      )}
      {open === 'withdraw' && (
        <form
          onSubmit={withdraw.onSubmit}
          className="card"
          aria-label="Withdraw consent"
          noValidate
        >
          <FormError error={withdraw.error} />
          <p>Every invitation, reminder and open survey link stops now.</p>
          <fieldset>
            <legend>The data collected so far</legend>
            <label>
              <input
                type="radio"
                name="data"
                value="keep"
                checked={data === 'keep'}
                onChange={() => setData('keep')}
              />{' '}
              Keep it (the consent form allows this)
            </label>
            <label>
              <input
                type="radio"
                name="data"
                value="erase"
                checked={data === 'erase'}
                onChange={() => setData('erase')}
              />{' '}
              Erase the patient (cannot be undone)
            </label>
          </fieldset>
          <Field label="Reason (required)" name="reason" error={withdraw.error}>
            {(p) => <textarea {...p} maxLength={500} rows={2} />}
          </Field>
          {data === 'erase' && (
            <Field
              label={`Type ${registryId} to confirm the erasure`}
              name="confirm"
              error={withdraw.error}
            >
              {(p) => <input {...p} autoComplete="off" />}
            </Field>
          )}
          <button type="submit" disabled={withdraw.busy}>
            {data === 'erase' ? 'Erase patient' : 'Withdraw consent'}
          </button>
        </form>
      )}
    </section>
  );
}
