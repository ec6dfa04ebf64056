import { useEffect, useState } from 'react';
import { ApiError, api } from '../api.ts';
import { Field, FormError } from '../ui/Field.tsx';
import { useFormSubmit } from '../ui/useFormSubmit.ts';
import type { CurrentUser } from './session.ts';

interface Template {
  language: string;
  kind: 'invitation' | 'reminder';
  subject: string;
  body: string;
}
interface Templates {
  own: Template[];
  defaults: Record<string, Record<'invitation' | 'reminder', { subject: string; body: string }>>;
}

const PLACEHOLDERS =
  '{{clinicName}} {{timepointLabel}} {{link}} {{dueDate}} {{closesOn}} {{unsubscribeLink}}';

/** A language tag as typed, in the form the server keeps it ("pt-br" → "pt-BR"). */
function canonicalTag(typed: string): string {
  try {
    return Intl.getCanonicalLocales(typed.trim())[0] ?? typed.trim();
  } catch {
    return typed.trim();
  }
}

/** The registry's survey e-mail wording per language; admins edit it. */
export function TemplatesPage({ user }: { user: CurrentUser }) {
  const [data, setData] = useState<Templates | null>(null);
  const [loadError, setLoadError] = useState('');
  const [language, setLanguage] = useState('en');
  const [kind, setKind] = useState<'invitation' | 'reminder'>('invitation');
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    api<Templates>('GET', '/message-templates')
      .then(setData)
      .catch((e: unknown) => setLoadError(e instanceof ApiError ? e.message : String(e)));
  }, []);
  const { error, busy, onSubmit } = useFormSubmit(async (values) => {
    setSaved(false);
    setData(
      await api<Templates>('PUT', '/message-templates', {
        language,
        kind,
        subject: values.subject,
        body: values.body,
      }),
    );
    setSaved(true);
  });
  if (loadError) return <p className="error-text">{loadError}</p>;
  if (!data) return <p>Loading…</p>;
  const tag = canonicalTag(language);
  const current =
    data.own.find((t) => t.language === tag && t.kind === kind) ??
    data.defaults[tag]?.[kind] ??
    data.defaults.en?.[kind];
  const isOwn = data.own.some((t) => t.language === tag && t.kind === kind);
  const ownLanguages = [...new Set(data.own.map((t) => t.language))];
  return (
    <>
      <h1>Survey e-mails</h1>
      <p>
        What patients receive with their survey link, per language. A patient gets the wording for
        their language tag if you have written it, else for its language alone (pt-BR, then pt),
        otherwise English. Placeholders: <code>{PLACEHOLDERS}</code>; the body must contain the link
        and the unsubscribe link.
      </p>
      <div
        className={error?.fieldMessage('language') ? 'field narrow field-error' : 'field narrow'}
      >
        <label htmlFor="tpl-language">Language tag</label>
        <small id="tpl-language-hint">
          Such as en, fr or pt-BR
          {ownLanguages.length > 0 && `; your registry has wording for ${ownLanguages.join(', ')}`}
        </small>
        <input
          id="tpl-language"
          value={language}
          maxLength={35}
          autoComplete="off"
          aria-invalid={Boolean(error?.fieldMessage('language'))}
          aria-describedby={
            error?.fieldMessage('language') ? 'tpl-language-error' : 'tpl-language-hint'
          }
          onChange={(e) => setLanguage(e.target.value)}
        />
        {error?.fieldMessage('language') && (
          <p className="error-text" id="tpl-language-error">
            {error.fieldMessage('language')}
          </p>
        )}
      </div>
      <div className="field narrow">
        <label htmlFor="tpl-kind">Message</label>
        <select
          id="tpl-kind"
          value={kind}
          onChange={(e) => setKind(e.target.value as 'invitation' | 'reminder')}
        >
          <option value="invitation">Invitation</option>
          <option value="reminder">Reminder</option>
        </select>
      </div>
      <p className="muted">{isOwn ? 'Your registry’s wording.' : 'StemTrack’s default wording.'}</p>
      <form onSubmit={onSubmit} noValidate className="narrow" key={`${tag}-${kind}-${isOwn}`}>
        <Field label="Subject" name="subject" error={error}>
          {(p) => (
            <input {...p} defaultValue={current?.subject ?? ''} readOnly={user.role !== 'admin'} />
          )}
        </Field>
        <Field label="Body" name="body" error={error}>
          {(p) => (
            <textarea
              {...p}
              rows={12}
              defaultValue={current?.body ?? ''}
              readOnly={user.role !== 'admin'}
            />
          )}
        </Field>
        <FormError error={error} />
        {saved && <p role="status">Saved.</p>}
        {user.role === 'admin' && (
          <button type="submit" className="button" disabled={busy}>
            Save wording
          </button>
        )}
      </form>
    </>
  );
}
