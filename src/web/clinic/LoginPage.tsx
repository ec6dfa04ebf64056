import { useState } from 'react';
import { api } from '../api.ts';
import { Link, navigate } from '../router.tsx';
import { Field, FormError } from '../ui/Field.tsx';
import { useFormSubmit } from '../ui/useFormSubmit.ts';
import { SecondFactorForm } from './PasswordLinkPages.tsx';
import type { CurrentUser } from './session.ts';

type SignInReply = { user: CurrentUser; csrfToken: string; mustEnrolTwoFactor?: boolean };

export function LoginPage({ onSignedIn }: { onSignedIn: (u: CurrentUser, csrf: string) => void }) {
  const [challenge, setChallenge] = useState('');
  const done = (r: SignInReply) => {
    onSignedIn(r.user, r.csrfToken);
    if (r.mustEnrolTwoFactor) navigate('/account');
  };
  const { error, busy, onSubmit } = useFormSubmit(async (values) => {
    const r = await api<SignInReply & { secondFactor?: boolean; challenge?: string }>(
      'POST',
      '/auth/login',
      values,
    );
    if (r.secondFactor && r.challenge) setChallenge(r.challenge);
    else done(r);
  });
  if (challenge)
    return (
      <main className="page narrow">
        <h1>StemTrack</h1>
        <SecondFactorForm challenge={challenge} onDone={(r) => done(r as SignInReply)} />
      </main>
    );
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
      <p>
        <Link to="/forgot-password">Forgot your password?</Link>
      </p>
    </main>
  );
}
