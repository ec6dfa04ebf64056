import { type FormEvent, useState } from 'react';
import type { InstrumentDefinition } from '../../core/instruments/definition.ts';
import { type EntryMismatch, formItems } from '../../core/paper/double-entry.ts';
import { ApiError, api } from '../api.ts';
import { formatDate } from '../ui/format.ts';
import { Reflow } from '../ui/Reflow.tsx';

interface PaperForm {
  shortCode: string;
  registryId: string;
  joint: string;
  side: string;
  timepointLabel: string;
  status: 'recorded' | 'expired' | 'awaiting-entry' | 'awaiting-second-entry' | 'mismatches';
  instruments: InstrumentDefinition[];
  entries: { enteredByName: string; enteredAt: string; mine: boolean }[];
  mismatches: EntryMismatch[];
}

type Answers = Record<string, Record<string, number | null>>;

const STATUS_WORDS: Record<PaperForm['status'], string> = {
  recorded: 'Recorded and scored.',
  expired: 'This survey has expired: its answers can no longer be recorded.',
  'awaiting-entry': 'Not entered yet.',
  'awaiting-second-entry': 'Entered once; waiting for a second entry by another staff member.',
  mismatches: 'Entered twice, with differences to settle.',
};

const optionsOf = (form: PaperForm, instrumentId: string, code: string) => {
  const def = form.instruments.find((d) => d.id === instrumentId);
  const item = def?.sections.flatMap((s) => s.items).find((i) => i.code === code);
  return (item && def?.responseSets[item.responseSet]) || [];
};

/** Returned paper forms: find one by its code, enter it (once or twice), settle differences. */
export function PaperFormsPage() {
  const [code, setCode] = useState('');
  const [form, setForm] = useState<PaperForm | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  async function find(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      setForm(await api<PaperForm>('GET', `/paper-forms/${encodeURIComponent(code.trim())}`));
    } catch (err) {
      setForm(null);
      setError(err instanceof ApiError ? err : new ApiError(0, String(err)));
    }
  }

  return (
    <>
      <h1>Paper forms</h1>
      <p>
        Print a form from the patient's page (under Surveys). When it comes back, type the form code
        printed at its top and enter the answers. For double data entry, a second staff member
        enters the same form; any differences are shown item by item to settle against the paper
        before the answers are scored.
      </p>
      <form onSubmit={find} className="subform paper-find" noValidate>
        <label htmlFor="paper-code">Form code</label>
        <input
          id="paper-code"
          value={code}
          onChange={(e) => setCode(e.target.value)}
          autoComplete="off"
          spellCheck={false}
          placeholder="K7QM-3XPD"
          aria-describedby={error ? 'paper-code-error' : undefined}
        />
        <button type="submit">Find form</button>
      </form>
      {error && (
        <p className="error-text" role="alert" id="paper-code-error">
          {error.fieldMessage('code') ?? error.message}
        </p>
      )}
      {form && <FormPanel form={form} onChanged={setForm} />}
    </>
  );
}

function FormPanel({ form, onChanged }: { form: PaperForm; onChanged: (f: PaperForm) => void }) {
  const side = form.side === 'left' || form.side === 'right' ? `${form.side} ` : '';
  const mine = form.entries.some((e) => e.mine);
  return (
    <section aria-labelledby="paper-form-title" className="paper-form">
      <h2 id="paper-form-title">Form {form.shortCode}</h2>
      <p>
        Patient {form.registryId} · {side}
        {form.joint} · {form.timepointLabel}
      </p>
      <p role="status">{STATUS_WORDS[form.status]}</p>
      {form.entries.length > 0 && (
        <ul>
          {form.entries.map((e, i) => (
            <li key={e.enteredAt + e.enteredByName}>
              Entry {i + 1} by {e.mine ? 'you' : e.enteredByName}, {formatDate(e.enteredAt)}
            </li>
          ))}
        </ul>
      )}
      {(form.status === 'awaiting-entry' || (form.status === 'awaiting-second-entry' && !mine)) && (
        <EntryForm
          form={form}
          second={form.status === 'awaiting-second-entry'}
          onDone={onChanged}
        />
      )}
      {form.status === 'mismatches' && <SettleForm form={form} onDone={onChanged} />}
    </section>
  );
}

function ErrorList({ error }: { error: ApiError }) {
  return (
    <div className="error-text" role="alert">
      <p>{error.message}</p>
      {error.fields.length > 0 && (
        <ul>
          {error.fields.map((f) => (
            <li key={f.field}>{f.message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

function EntryForm({
  form,
  second,
  onDone,
}: {
  form: PaperForm;
  second: boolean;
  onDone: (f: PaperForm) => void;
}) {
  const items = formItems(form.instruments);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    const answers: Answers = {};
    for (const item of items) {
      const raw = data.get(`${item.instrumentId}.${item.code}`);
      answers[item.instrumentId] = {
        ...answers[item.instrumentId],
        [item.code]: raw === null || raw === '' ? null : Number(raw),
      };
    }
    setBusy(true);
    try {
      onDone(
        await api<PaperForm>('POST', `/paper-forms/${form.shortCode}/entries`, {
          registryId: String(data.get('registryId') ?? ''),
          answers,
          recordNow: !second && data.get('recordNow') === 'yes',
        }),
      );
      setError(null);
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, String(err)));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} className="paper-entry" noValidate aria-label="Enter the form">
      <h3>{second ? 'Second entry' : 'Enter the answers'}</h3>
      <label htmlFor="paper-registry">Patient number as printed on the form</label>
      <input id="paper-registry" name="registryId" autoComplete="off" required />
      {items.map((item, i) => (
        <fieldset key={`${item.instrumentId}.${item.code}`} className="paper-item">
          <legend>
            {i + 1}. {item.text} <span className="muted">[{item.code}]</span>
          </legend>
          <div className="paper-options">
            {optionsOf(form, item.instrumentId, item.code).map((o) => (
              <label key={o.value} className="paper-option">
                <input type="radio" name={`${item.instrumentId}.${item.code}`} value={o.value} />{' '}
                {o.label}
              </label>
            ))}
          </div>
        </fieldset>
      ))}
      <p className="muted">An item with no box ticked on the paper stays blank.</p>
      {!second && (
        <fieldset>
          <legend>Record now or wait for a second entry?</legend>
          <label>
            <input type="radio" name="recordNow" value="yes" defaultChecked /> Record now (one
            entry)
          </label>
          <label>
            <input type="radio" name="recordNow" value="no" /> Wait for a second entry by another
            staff member (double data entry)
          </label>
        </fieldset>
      )}
      {error && <ErrorList error={error} />}
      <button type="submit" disabled={busy}>
        Save entry
      </button>
    </form>
  );
}

function SettleForm({ form, onDone }: { form: PaperForm; onDone: (f: PaperForm) => void }) {
  const [error, setError] = useState<ApiError | null>(null);
  const label = (instrumentId: string, code: string, value: number | null) =>
    value === null
      ? 'blank'
      : (optionsOf(form, instrumentId, code).find((o) => o.value === value)?.label ??
        String(value));

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    const answers: Answers = {};
    for (const m of form.mismatches) {
      const raw = data.get(`${m.instrumentId}.${m.code}`);
      if (raw === null || raw === '') continue;
      answers[m.instrumentId] = {
        ...answers[m.instrumentId],
        [m.code]: raw === 'blank' ? null : Number(raw),
      };
    }
    try {
      onDone(await api<PaperForm>('POST', `/paper-forms/${form.shortCode}/settle`, { answers }));
      setError(null);
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, String(err)));
    }
  }

  return (
    <form onSubmit={submit} className="paper-settle" noValidate aria-label="Settle the differences">
      <h3>Differences between the two entries</h3>
      <p>Read each of these answers on the paper form and choose what it says.</p>
      <Reflow label="Differences">
        <table>
          <thead>
            <tr>
              <th scope="col">Question</th>
              <th scope="col">Entry 1</th>
              <th scope="col">Entry 2</th>
              <th scope="col">On the paper</th>
            </tr>
          </thead>
          <tbody>
            {form.mismatches.map((m) => {
              const id = `settle-${m.instrumentId}-${m.code}`;
              return (
                <tr key={id}>
                  <th scope="row" id={`${id}-q`}>
                    {m.text} <span className="muted">[{m.code}]</span>
                  </th>
                  <td>{label(m.instrumentId, m.code, m.first)}</td>
                  <td>{label(m.instrumentId, m.code, m.second)}</td>
                  <td>
                    <select
                      id={id}
                      name={`${m.instrumentId}.${m.code}`}
                      aria-labelledby={`${id}-q`}
                      defaultValue=""
                    >
                      <option value="">Choose…</option>
                      {optionsOf(form, m.instrumentId, m.code).map((o) => (
                        <option key={o.value} value={o.value}>
                          {o.label}
                        </option>
                      ))}
                      <option value="blank">Left blank</option>
                    </select>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </Reflow>
      {error && <ErrorList error={error} />}
      <button type="submit">Record settled answers</button>
    </form>
  );
}
