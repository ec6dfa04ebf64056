import { useState } from 'react';
import { ApiError, api } from '../api.ts';

/** Opened from a survey e-mail; asks before acting, so a mail scanner's visit changes nothing. */
export function UnsubscribePage({ token }: { token: string }) {
  const [state, setState] = useState<'ask' | 'busy' | 'done'>('ask');
  const [error, setError] = useState('');
  const confirm = async () => {
    setState('busy');
    try {
      await api('POST', `/unsubscribe/${encodeURIComponent(token)}`);
      setState('done');
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
      setState('ask');
    }
  };
  return (
    <main className="page survey">
      <h1>Stop questionnaire e-mails</h1>
      {state === 'done' ? (
        <p role="status">Done: your clinic will send you no more questionnaire e-mails.</p>
      ) : (
        <>
          <p>
            Your clinic will no longer e-mail you questionnaires. You can still answer any link you
            already have.
          </p>
          {error && (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}
          <button type="button" className="button" onClick={confirm} disabled={state === 'busy'}>
            Stop the e-mails
          </button>
        </>
      )}
    </main>
  );
}
