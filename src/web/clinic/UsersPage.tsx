import { useCallback, useEffect, useState } from 'react';
import { api } from '../api.ts';
import { Field, FormError } from '../ui/Field.tsx';
import { useFormSubmit } from '../ui/useFormSubmit.ts';
import type { CurrentUser } from './session.ts';

interface UserRow {
  id: string;
  email: string;
  name: string;
  role: CurrentUser['role'];
  status: 'active' | 'invited' | 'deactivated';
  lastSignInAt: string | null;
  twoFactor: boolean;
}
interface LinkIssued {
  mailed: boolean;
  link?: string;
  message: string;
}

/** The site's users, for its admins: invite, change a role, deactivate, require 2FA. */
export function UsersPage({ user }: { user: CurrentUser }) {
  const [users, setUsers] = useState<UserRow[]>([]);
  const [settings, setSettings] = useState<{ requireTwoFactor: boolean; mail: boolean } | null>(
    null,
  );
  const [issued, setIssued] = useState<LinkIssued | null>(null);
  const load = useCallback(async () => {
    setUsers((await api<{ users: UserRow[] }>('GET', '/users')).users);
    setSettings(await api('GET', '/access-settings'));
  }, []);
  useEffect(() => {
    if (user.role === 'admin') void load();
  }, [load, user.role]);
  const invite = useFormSubmit(
    async (values) => {
      setIssued(await api<LinkIssued>('POST', '/users/invitations', values));
      await load();
    },
    { resetOnSuccess: true },
  );
  if (user.role !== 'admin') return <p>Only your clinic’s admins manage users.</p>;
  return (
    <section>
      <h1>Users at {user.siteName}</h1>
      {settings && !settings.mail && (
        <p className="warning">
          E-mail is off at this registry: invitation links are shown here for you to pass on.
        </p>
      )}
      {issued && (
        <div role="status">
          <p>{issued.message}</p>
          {issued.link && (
            <p>
              <code data-testid="invite-link">{issued.link}</code>
            </p>
          )}
        </div>
      )}
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Email</th>
            <th>Role</th>
            <th>Status</th>
            <th>Last sign-in</th>
            <th>Two-factor</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id} data-email={u.email}>
              <td>{u.name}</td>
              <td>{u.email}</td>
              <td>
                <select
                  aria-label={`Role of ${u.name}`}
                  value={u.role}
                  disabled={u.id === user.id || u.status === 'deactivated'}
                  onChange={async (e) => {
                    await api('PUT', `/users/${u.id}/role`, { role: e.target.value });
                    await load();
                  }}
                >
                  <option value="admin">admin</option>
                  <option value="clinician">clinician</option>
                  <option value="researcher">researcher</option>
                </select>
              </td>
              <td>{u.status}</td>
              <td>{u.lastSignInAt ? new Date(u.lastSignInAt).toLocaleString() : 'never'}</td>
              <td>{u.twoFactor ? 'on' : 'off'}</td>
              <td>
                {u.id !== user.id && u.status !== 'deactivated' && (
                  <>
                    <button
                      type="button"
                      onClick={async () => {
                        setIssued(await api<LinkIssued>('POST', `/users/${u.id}/sign-in-link`));
                      }}
                    >
                      New sign-in link
                    </button>
                    <button
                      type="button"
                      onClick={async () => {
                        if (!window.confirm(`Deactivate ${u.name}? They are signed out at once.`))
                          return;
                        await api('POST', `/users/${u.id}/deactivate`);
                        await load();
                      }}
                    >
                      Deactivate
                    </button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Invite someone</h2>
      <form onSubmit={invite.onSubmit} noValidate>
        <FormError error={invite.error} />
        <Field label="Name" name="name" error={invite.error}>
          {(p) => <input {...p} required />}
        </Field>
        <Field label="Email" name="email" error={invite.error}>
          {(p) => <input {...p} type="email" required />}
        </Field>
        <Field label="Role" name="role" error={invite.error}>
          {(p) => (
            <select {...p} defaultValue="clinician">
              <option value="admin">admin</option>
              <option value="clinician">clinician</option>
              <option value="researcher">researcher</option>
            </select>
          )}
        </Field>
        <button type="submit" disabled={invite.busy}>
          Invite
        </button>
      </form>
      <h2>Sign-in</h2>
      {settings && (
        <label>
          <input
            type="checkbox"
            checked={settings.requireTwoFactor}
            onChange={async (e) =>
              setSettings(
                await api('PUT', '/access-settings', { requireTwoFactor: e.target.checked }),
              )
            }
          />{' '}
          Require two-factor sign-in for admins and clinicians (they set it up at next sign-in)
        </label>
      )}
    </section>
  );
}
