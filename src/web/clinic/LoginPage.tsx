import { api } from '../api.ts';
import { Field, FormError } from '../ui/Field.tsx';
import { useFormSubmit } from '../ui/useFormSubmit.ts';
import type { CurrentUser } from './session.ts';

export function LoginPage({ onSignedIn }: { onSignedIn: (u: CurrentUser, csrf: string) => void }) {
  const { error, busy, onSubmit } = useFormSubmit(async (values) => {
    const r = await api<{ user: CurrentUser; csrfToken: string }>('POST', '/auth/login', values);
    onSignedIn(r.user, r.csrfToken);
  });
  return (
    <main className="page narrow">
      <h1>StemTrack</h1>
      <p>Sign in to your clinic’s registry.</p>
      <form onSubmit={onSubmit} noValidate>
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
