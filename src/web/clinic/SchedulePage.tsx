import { useEffect, useState } from 'react';
import { ApiError, api } from '../api.ts';
import { FormError } from '../ui/Field.tsx';
import { Reflow } from '../ui/Reflow.tsx';
import type { CurrentUser } from './session.ts';

interface TimePoint {
  id: string;
  label: string;
  windowBefore: number;
  windowAfter: number;
}

/** The registry's follow-up windows; admins may change them. */
export function SchedulePage({ user }: { user: CurrentUser }) {
  const [timepoints, setTimepoints] = useState<TimePoint[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);
  const editable = user.role === 'admin';
  useEffect(() => {
    api<{ timepoints: TimePoint[] }>('GET', '/schedule')
      .then((r) => setTimepoints(r.timepoints))
      .catch((e: unknown) => setError(e instanceof ApiError ? e : new ApiError(0, String(e))));
  }, []);
  if (!timepoints) return error ? <FormError error={error} /> : <p>Loading…</p>;
  const change = (id: string, key: 'windowBefore' | 'windowAfter', value: string) => {
    setSaved(false);
    setTimepoints(timepoints.map((t) => (t.id === id ? { ...t, [key]: Number(value) } : t)));
  };
  const save = async () => {
    try {
      const r = await api<{ timepoints: TimePoint[] }>('PUT', '/schedule', {
        windows: timepoints.map((t) => ({
          timepoint: t.id,
          windowBefore: t.windowBefore,
          windowAfter: t.windowAfter,
        })),
      });
      setTimepoints(r.timepoints);
      setError(null);
      setSaved(true);
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, String(e)));
    }
  };
  return (
    <>
      <h1>Follow-up schedule</h1>
      <p>
        Time points count from the first treatment of a joint. A survey answered outside its window
        is kept and flagged. {editable ? '' : 'Only an admin can change the windows.'}
      </p>
      <Reflow>
        <table className="schedule">
          <thead>
            <tr>
              <th scope="col">Time point</th>
              <th scope="col">Days before</th>
              <th scope="col">Days after</th>
            </tr>
          </thead>
          <tbody>
            {timepoints.map((t) => (
              <tr key={t.id}>
                <td>{t.label}</td>
                {(['windowBefore', 'windowAfter'] as const).map((key) => (
                  <td key={key}>
                    {editable ? (
                      <input
                        type="number"
                        min={0}
                        max={180}
                        aria-label={`${t.label}: days ${key === 'windowBefore' ? 'before' : 'after'}`}
                        value={t[key]}
                        onChange={(e) => change(t.id, key, e.target.value)}
                      />
                    ) : (
                      t[key]
                    )}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </Reflow>
      <FormError error={error} />
      {error?.fields.map((f) => (
        <p key={f.field} className="error-text">
          {f.message}
        </p>
      ))}
      {saved && <p role="status">Saved.</p>}
      {editable && (
        <button type="button" className="button" onClick={save}>
          Save windows
        </button>
      )}
    </>
  );
}
