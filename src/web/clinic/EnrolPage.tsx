import { api } from '../api.ts';
import { navigate } from '../router.tsx';
import { Field, FormError } from '../ui/Field.tsx';
import { useFormSubmit } from '../ui/useFormSubmit.ts';

const today = () => new Date().toISOString().slice(0, 10);

// The patient's answer about texts, as the contact card words it.
const SMS_CHOICES = [
  ['opted-in', 'Agreed to texts'],
  ['opted-out', 'Does not want texts'],
  ['none', 'Not asked'],
] as const;

// Time zones this browser knows, offered as suggestions; the server checks the one typed.
const ZONES: readonly string[] =
  typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];

export function EnrolPage() {
  const { error, busy, onSubmit } = useFormSubmit(async (values) => {
    const patient = await api<{ id: string }>('POST', '/patients', {
      registryId: values.registryId,
      givenName: values.givenName,
      familyName: values.familyName,
      dateOfBirth: values.dateOfBirth,
      sex: values.sex,
      email: values.email,
      phone: values.phone || undefined,
      language: values.language || undefined,
      mobile: values.mobile || undefined,
      mobileCountry: values.mobileCountry || undefined,
      smsConsent: values.smsConsent || undefined,
      timeZone: values.timeZone || undefined,
      consentDate: values.consentDate,
      consentGiven: values.consentGiven === 'on',
    });
    navigate(`/patients/${patient.id}`);
  });
  return (
    <section className="narrow">
      <h1>Enrol a patient</h1>
      <form onSubmit={onSubmit} noValidate>
        <FormError error={error} />
        <Field label="Given name" name="givenName" error={error}>
          {(p) => <input {...p} autoComplete="off" />}
        </Field>
        <Field label="Family name" name="familyName" error={error}>
          {(p) => <input {...p} autoComplete="off" />}
        </Field>
        <Field label="Date of birth" name="dateOfBirth" error={error}>
          {(p) => <input {...p} type="date" max={today()} />}
        </Field>
        <Field label="Sex" name="sex" error={error}>
          {(p) => (
            <select {...p} defaultValue="">
              <option value="" disabled>
                Choose…
              </option>
              <option value="female">Female</option>
              <option value="male">Male</option>
              <option value="other">Other</option>
              <option value="unknown">Not recorded</option>
            </select>
          )}
        </Field>
        <Field label="Email (for survey invitations)" name="email" error={error}>
          {(p) => <input {...p} type="email" autoComplete="off" />}
        </Field>
        <Field label="Phone" name="phone" error={error}>
          {(p) => <input {...p} type="tel" autoComplete="off" />}
        </Field>
        <Field
          label="Language"
          name="language"
          error={error}
          hint="The patient’s language for surveys, e-mails and texts: a tag such as en, fr or pt-BR; English when empty"
        >
          {(p) => <input {...p} type="text" maxLength={35} autoComplete="off" />}
        </Field>
        <fieldset className="enrol-texts">
          <legend>Texts and calls</legend>
          <Field
            label="Mobile number"
            name="mobile"
            error={error}
            hint="With its country code, such as +44 7400 123456; empty when none"
          >
            {(p) => <input {...p} type="tel" autoComplete="off" />}
          </Field>
          <Field
            label="Country of a number without +"
            name="mobileCountry"
            error={error}
            hint="Two letters, such as GB"
          >
            {(p) => <input {...p} maxLength={2} autoComplete="off" />}
          </Field>
          <fieldset
            className={error?.fieldMessage('smsConsent') ? 'checks field-error' : 'checks'}
            aria-describedby={error?.fieldMessage('smsConsent') ? 'enrol-sms-error' : undefined}
          >
            <legend>Text messages</legend>
            {SMS_CHOICES.map(([value, words]) => (
              <label key={value}>
                <input
                  type="radio"
                  name="smsConsent"
                  value={value}
                  defaultChecked={value === 'none'}
                />{' '}
                {words}
              </label>
            ))}
            {error?.fieldMessage('smsConsent') && (
              <p className="error-text" id="enrol-sms-error">
                {error.fieldMessage('smsConsent')}
              </p>
            )}
          </fieldset>
          <Field
            label="Time zone"
            name="timeZone"
            error={error}
            hint="Texts wait from 21:00 to 08:00 here, such as Europe/London; the registry’s when empty"
          >
            {(p) => (
              <>
                <input {...p} list="enrol-time-zones" autoComplete="off" />
                <datalist id="enrol-time-zones">
                  {ZONES.map((z) => (
                    <option key={z} value={z} />
                  ))}
                </datalist>
              </>
            )}
          </Field>
        </fieldset>
        <Field
          label="Registry id"
          name="registryId"
          error={error}
          hint="Leave empty to assign the next ST- number"
        >
          {(p) => <input {...p} autoComplete="off" />}
        </Field>
        <Field label="Consent date" name="consentDate" error={error}>
          {(p) => <input {...p} type="date" defaultValue={today()} max={today()} />}
        </Field>
        <div className={error?.fieldMessage('consentGiven') ? 'field field-error' : 'field'}>
          <label className="check">
            <input type="checkbox" name="consentGiven" /> The patient has given written consent to
            take part in the registry
          </label>
          {error?.fieldMessage('consentGiven') && (
            <p className="error-text">{error.fieldMessage('consentGiven')}</p>
          )}
        </div>
        <button type="submit" disabled={busy}>
          {busy ? 'Enrolling…' : 'Enrol patient'}
        </button>
      </form>
    </section>
  );
}
