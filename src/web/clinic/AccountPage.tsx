import { useCallback, useEffect, useState } from 'react';
import { api } from '../api.ts';
import { Field, FormError } from '../ui/Field.tsx';
import { formatDate } from '../ui/format.ts';
import { Reflow } from '../ui/Reflow.tsx';
import { useFormSubmit } from '../ui/useFormSubmit.ts';
import { browserInWords } from './browser-words.ts';

interface SessionRow {
  id: string;
  createdAt: string;
  clientAddress: string | null;
  userAgent: string | null;
  current: boolean;
}
interface TwoFactor {
  enabled: boolean;
  required: boolean;
  recoveryCodesLeft: number;
}

/** Your password, two-factor sign-in and open sessions. */
export function AccountPage() {
  const [twoFactor, setTwoFactor] = useState<TwoFactor | null>(null);
  const [sessions, setSessions] = useState<SessionRow[]>([]);
  const [setup, setSetup] = useState<{ secret: string; qrSvg: string } | null>(null);
  const [codes, setCodes] = useState<string[]>([]);
  const [note, setNote] = useState('');
  const load = useCallback(async () => {
    setTwoFactor(await api<TwoFactor>('GET', '/auth/two-factor'));
    const s = await api<{ sessions: SessionRow[] }>('GET', '/auth/sessions').catch(() => ({
      sessions: [],
    }));
    setSessions(s.sessions);
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const confirm = useFormSubmit(async (values) => {
    const r = await api<{ recoveryCodes: string[] }>('POST', '/auth/two-factor/confirm', {
      code: values.code ?? '',
    });
    setCodes(r.recoveryCodes);
    setSetup(null);
    await load();
  });
  const renew = useFormSubmit(
    async (values) => {
      const r = await api<{ recoveryCodes: string[] }>('POST', '/auth/two-factor/recovery-codes', {
        code: values.code ?? '',
      });
      setCodes(r.recoveryCodes);
      setNote('New recovery codes made. The earlier ones no longer work.');
      await load();
    },
    { resetOnSuccess: true },
  );
  const turnOff = useFormSubmit(
    async (values) => {
      await api('POST', '/auth/two-factor/disable', {
        currentPassword: values.currentPassword ?? '',
        code: values.code ?? '',
      });
      setCodes([]);
      setNote('Two-factor sign-in is off. Your password alone signs you in now.');
      await load();
    },
    { resetOnSuccess: true },
  );
  const change = useFormSubmit(
    async (values) => {
      const r = await api<{ endedSessions: number }>('POST', '/auth/password', values);
      setNote(`Password changed. ${r.endedSessions} other session(s) signed out.`);
      await load();
    },
    { resetOnSuccess: true },
  );

  return (
    <section>
      <h1>Your account</h1>
      {note && <p role="status">{note}</p>}
      <section className="card" aria-labelledby="account-two-factor">
        <h2 id="account-two-factor">Two-factor sign-in</h2>
        {twoFactor?.required && !twoFactor.enabled && (
          <p className="warning">Your clinic requires two-factor sign-in. Set it up to go on.</p>
        )}
        {twoFactor?.enabled ? (
          <>
            <p>
              On. Recovery codes left: {twoFactor.recoveryCodesLeft} of 10
              {twoFactor.recoveryCodesLeft < 3 ? ': make new ones before they run out.' : '.'}
            </p>
            <details className="subform">
              <summary>Make new recovery codes</summary>
              <form onSubmit={renew.onSubmit} aria-label="Make new recovery codes" noValidate>
                <p>Your earlier recovery codes stop working as soon as the new ones are made.</p>
                <FormError error={renew.error} />
                <Field label="Code shown by the app" name="code" error={renew.error}>
                  {(p) => (
                    <input {...p} autoComplete="one-time-code" inputMode="numeric" required />
                  )}
                </Field>
                <button type="submit" disabled={renew.busy}>
                  Make new recovery codes
                </button>
              </form>
            </details>
            {twoFactor.required ? (
              <p className="muted">
                Your clinic requires two-factor sign-in for your role, so it cannot be turned off
                here.
              </p>
            ) : (
              <details className="subform">
                <summary>Turn off two-factor sign-in</summary>
                <form
                  onSubmit={turnOff.onSubmit}
                  aria-label="Turn off two-factor sign-in"
                  noValidate
                >
                  <p>Your password alone will sign you in, and your recovery codes stop working.</p>
                  <FormError error={turnOff.error} />
                  <Field label="Current password" name="currentPassword" error={turnOff.error}>
                    {(p) => (
                      <input {...p} type="password" autoComplete="current-password" required />
                    )}
                  </Field>
                  <Field
                    label="Code shown by the app, or a recovery code"
                    name="code"
                    error={turnOff.error}
                  >
                    {(p) => <input {...p} autoComplete="one-time-code" required />}
                  </Field>
                  <button type="submit" disabled={turnOff.busy}>
                    Turn off two-factor sign-in
                  </button>
                </form>
              </details>
            )}
          </>
        ) : setup ? (
          <div>
            <p>Scan this code with your authenticator app, or type the key below into it.</p>
            <img
              alt="QR code for your authenticator app"
              width={200}
              height={200}
              src={`data:image/svg+xml;utf8,${encodeURIComponent(setup.qrSvg)}`}
            />
            <p>
              Key: <code data-testid="totp-secret">{setup.secret}</code>
            </p>
            <form onSubmit={confirm.onSubmit} noValidate>
              <FormError error={confirm.error} />
              <Field label="Code shown by the app" name="code" error={confirm.error}>
                {(p) => <input {...p} autoComplete="one-time-code" inputMode="numeric" required />}
              </Field>
              <button type="submit" disabled={confirm.busy}>
                Turn on two-factor sign-in
              </button>
            </form>
          </div>
        ) : (
          <button
            type="button"
            onClick={async () => setSetup(await api('POST', '/auth/two-factor/setup'))}
          >
            Set up two-factor sign-in
          </button>
        )}
        {codes.length > 0 && (
          <div>
            <p>
              Recovery codes: each works once, if you lose your phone. Keep them somewhere safe;
              they are not shown again.
            </p>
            <ul data-testid="recovery-codes">
              {codes.map((c) => (
                <li key={c}>
                  <code>{c}</code>
                </li>
              ))}
            </ul>
          </div>
        )}
      </section>
      <section className="card" aria-labelledby="account-password">
        <h2 id="account-password">Change password</h2>
        <form onSubmit={change.onSubmit} noValidate>
          <FormError error={change.error} />
          <Field label="Current password" name="currentPassword" error={change.error}>
            {(p) => <input {...p} type="password" autoComplete="current-password" required />}
          </Field>
          <Field label="New password" name="newPassword" error={change.error}>
            {(p) => <input {...p} type="password" autoComplete="new-password" required />}
          </Field>
          <button type="submit" disabled={change.busy}>
            Change password
          </button>
        </form>
      </section>
      <section className="card" aria-labelledby="account-sessions">
        <h2 id="account-sessions">Where you are signed in</h2>
        <Reflow>
          <table className="reflow">
            <thead>
              <tr>
                <th scope="col">Since</th>
                <th scope="col">From (network address)</th>
                <th scope="col">Browser</th>
              </tr>
            </thead>
            <tbody>
              {sessions.map((s) => (
                <tr key={s.id}>
                  {/* Each value in a block, so a phone's card keeps it beside its heading. */}
                  <td>
                    <div>
                      {formatDate(s.createdAt.slice(0, 10))} {s.createdAt.slice(11, 16)} UTC
                    </div>
                  </td>
                  <td>
                    <div>{s.clientAddress ?? 'unknown'}</div>
                  </td>
                  <td title={s.userAgent ?? undefined}>
                    <div>
                      {browserInWords(s.userAgent)}
                      {s.current ? ' (this one)' : ''}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Reflow>
        <button
          type="button"
          onClick={async () => {
            const r = await api<{ ended: number }>('POST', '/auth/sessions/end-others');
            setNote(`Signed out of ${r.ended} other session(s).`);
            await load();
          }}
        >
          Sign out everywhere else
        </button>
      </section>
    </section>
  );
}
