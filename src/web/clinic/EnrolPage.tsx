import { api } from '../api.ts';
import { navigate } from '../router.tsx';
import { Field, FormError } from '../ui/Field.tsx';
import { useFormSubmit } from '../ui/useFormSubmit.ts';

const today = () => new Date().toISOString().slice(0, 10);

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
          label="Language for e-mails"
          name="language"
          error={error}
          hint="Two-letter code such as en or fr; English when empty"
        >
          {(p) => <input {...p} type="text" maxLength={2} autoComplete="off" />}
        </Field>
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
