import { useEffect, useState } from 'react';
import { api } from '../api.ts';
import { Field, FormError } from '../ui/Field.tsx';
import { formatDate } from '../ui/format.ts';
import { useFormSubmit } from '../ui/useFormSubmit.ts';

interface Contact {
  mobile: string | null;
  smsConsent: 'none' | 'opted-in' | 'opted-out';
  smsConsentAt: string | null;
  smsConsentSource: string | null;
  timeZone: string | null;
  language: string;
  preferredCallTime: string | null;
  smsOn: boolean;
}

const CONSENT_WORDS: Record<Contact['smsConsent'], string> = {
  none: 'Not asked',
  'opted-in': 'Agreed to texts',
  'opted-out': 'Does not want texts',
};
const SOURCE_WORDS: Record<string, string> = {
  clinic: 'recorded by the clinic',
  'patient-reply': 'by the patient’s reply (STOP or START)',
  provider: 'reported by the text message provider',
};

// Time zones this browser knows, offered as suggestions; the server checks the one typed.
const ZONES: readonly string[] =
  typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];

/** The patient's mobile, consent to texts, time zone, language and best time to call. */
export function ContactCard({ patientId }: { patientId: string }) {
  const [contact, setContact] = useState<Contact | null>(null);
  const [editing, setEditing] = useState(false);
  useEffect(() => {
    api<Contact>('GET', `/patients/${patientId}/contact`)
      .then(setContact)
      .catch(() => setContact(null));
  }, [patientId]);
  const save = useFormSubmit(async (v) => {
    const saved = await api<Contact>('PUT', `/patients/${patientId}/contact`, {
      mobile: v.mobile ?? '',
      ...(v.country ? { country: v.country.toUpperCase() } : {}),
      smsConsent: v.smsConsent ?? 'none',
      timeZone: v.timeZone ?? '',
      language: v.language ?? 'en',
      preferredCallTime: v.preferredCallTime ?? '',
    });
    setContact(saved);
    setEditing(false);
  });
  if (!contact) return null;
  return (
    <section className="card" aria-labelledby="contact-heading">
      <h2 id="contact-heading">Texts and calls</h2>
      {!editing ? (
        <>
          <dl className="contact-facts">
            <dt>Mobile</dt>
            <dd>{contact.mobile ?? 'none recorded'}</dd>
            <dt>Text messages</dt>
            <dd>
              {CONSENT_WORDS[contact.smsConsent]}
              {contact.smsConsentAt &&
                ` (${SOURCE_WORDS[contact.smsConsentSource ?? ''] ?? ''}, ${formatDate(contact.smsConsentAt.slice(0, 10))})`}
            </dd>
            <dt>Time zone</dt>
            <dd>{contact.timeZone ?? 'the registry’s'}</dd>
            <dt>Language</dt>
            <dd>{contact.language}</dd>
            <dt>Best time to call</dt>
            <dd>{contact.preferredCallTime ?? 'not said'}</dd>
          </dl>
          {!contact.smsOn && (
            <p className="muted">
              This server sends no text messages yet (SMS_PROVIDER is not set).
            </p>
          )}
          <button type="button" onClick={() => setEditing(true)}>
            Edit texts and calls
          </button>
        </>
      ) : (
        <form onSubmit={save.onSubmit} aria-label="Texts and calls" noValidate>
          <FormError error={save.error} />
          <Field
            label="Mobile number"
            name="mobile"
            error={save.error}
            hint="With its country code, such as +44 7400 123456; empty to remove"
          >
            {(p) => (
              <input {...p} type="tel" autoComplete="off" defaultValue={contact.mobile ?? ''} />
            )}
          </Field>
          <Field
            label="Country of a number without +"
            name="country"
            error={save.error}
            hint="Two letters, such as GB"
          >
            {(p) => <input {...p} maxLength={2} />}
          </Field>
          <fieldset className="checks">
            <legend>Text messages</legend>
            {(['opted-in', 'opted-out', 'none'] as const).map((c) => (
              <label key={c}>
                <input
                  type="radio"
                  name="smsConsent"
                  value={c}
                  defaultChecked={contact.smsConsent === c}
                />{' '}
                {CONSENT_WORDS[c]}
              </label>
            ))}
          </fieldset>
          <Field
            label="Time zone"
            name="timeZone"
            error={save.error}
            hint="Texts wait from 21:00 to 08:00 here, such as Europe/London"
          >
            {(p) => (
              <>
                <input {...p} list="time-zones" defaultValue={contact.timeZone ?? ''} />
                <datalist id="time-zones">
                  {ZONES.map((z) => (
                    <option key={z} value={z} />
                  ))}
                </datalist>
              </>
            )}
          </Field>
          <Field
            label="Language"
            name="language"
            error={save.error}
            hint="A language tag such as en, fr or pt-BR"
          >
            {(p) => <input {...p} defaultValue={contact.language} />}
          </Field>
          <Field label="Best time to call" name="preferredCallTime" error={save.error}>
            {(p) => <input {...p} defaultValue={contact.preferredCallTime ?? ''} />}
          </Field>
          <button type="submit" disabled={save.busy}>
            Save texts and calls
          </button>{' '}
          <button type="button" className="link-button" onClick={() => setEditing(false)}>
            Cancel
          </button>
        </form>
      )}
    </section>
  );
}
