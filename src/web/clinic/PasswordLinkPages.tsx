import { useState } from 'react';
import { api } from '../api.ts';
import { Link } from '../router.tsx';
import { Field, FormError } from '../ui/Field.tsx';
import { useFormSubmit } from '../ui/useFormSubmit.ts';

/** Opened from an invitation or reset link: the token is in the fragment, never sent in a URL. */
export function SetPasswordPage() {
  const token = window.location.hash.slice(1);
  const [done, setDone] = useState('');
  const { error, busy, onSubmit } = useFormSubmit(async (values) => {
    const r = await api<{ message: string }>('POST', '/auth/set-password', {
      token,
      password: values.password ?? '',
    });
    setDone(r.message);
  });
  return (
    <main className="page narrow">
      <h1>Set your password</h1>
      {done ? (
        <p role="status">
          {done} <Link to="/">Sign in</Link>
        </p>
      ) : (
        <form onSubmit={onSubmit} noValidate>
          <FormError error={error} />
          <Field
            label="New password"
            name="password"
            error={error}
            hint="At least 8 characters; a few unrelated words make a strong one."
          >
            {(p) => <input {...p} type="password" autoComplete="new-password" required />}
          </Field>
          <button type="submit" disabled={busy}>
            {busy ? 'Saving…' : 'Set password'}
          </button>
        </form>
      )}
    </main>
  );
}

export function ForgotPasswordPage() {
  const [done, setDone] = useState('');
  const { error, busy, onSubmit } = useFormSubmit(async (values) => {
    const r = await api<{ message: string }>('POST', '/auth/password-reset', {
      email: values.email ?? '',
    });
    setDone(r.message);
  });
  return (
    <main className="page narrow">
      <h1>Forgot your password?</h1>
      {done ? (
        <p role="status">{done}</p>
      ) : (
        <form onSubmit={onSubmit} noValidate>
          <FormError error={error} />
          <Field label="Email" name="email" error={error}>
            {(p) => <input {...p} type="email" autoComplete="username" required />}
          </Field>
          <button type="submit" disabled={busy}>
            {busy ? 'Sending…' : 'Send me a link'}
          </button>
        </form>
      )}
      <p>
        <Link to="/">Back to sign-in</Link>
      </p>
    </main>
  );
}

/** The second step of sign-in: a code from the authenticator app, or a recovery code. */
export function SecondFactorForm({
  challenge,
  onDone,
}: {
  challenge: string;
  onDone: (r: unknown) => void;
}) {
  const { error, busy, onSubmit } = useFormSubmit(async (values) => {
    onDone(await api('POST', '/auth/login/second-factor', { challenge, code: values.code ?? '' }));
  });
  return (
    <form onSubmit={onSubmit} noValidate>
      <FormError error={error} />
      <Field
        label="Code from your authenticator app"
        name="code"
        error={error}
        hint="Or one of your recovery codes, if you do not have your phone."
      >
        {(p) => <input {...p} autoComplete="one-time-code" inputMode="text" required />}
      </Field>
      <button type="submit" disabled={busy}>
        {busy ? 'Checking…' : 'Sign in'}
      </button>
    </form>
  );
}
