import { type FormEvent, useState } from 'react';
import { ApiError, api } from '../api.ts';
import { Field, FormError, formValues } from '../ui/Field.tsx';
import type { CurrentUser } from './session.ts';

export function LoginPage({ onSignedIn }: { onSignedIn: (u: CurrentUser, csrf: string) => void }) {
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await api<{ user: CurrentUser; csrfToken: string }>(
        'POST',
        '/auth/login',
        formValues(e.currentTarget),
      );
      onSignedIn(r.user, r.csrfToken);
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, String(err)));
    } finally {
      setBusy(false);
    }
  }
  return (
    <main className="page narrow">
      <h1>StemTrack</h1>
      <p>Sign in to your clinic’s registry.</p>
      <form onSubmit={submit} noValidate>
        <FormError error={error} />
        <Field label="Email" name="email" error={error}>
          {(p) => <input {...p} type="email" autoComplete="username" required />}
        </Field>
        <Field label="Password" name="password" error={error}>
          {(p) => <input {...p} type="password" autoComplete="current-password" required />}
        </Field>
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
