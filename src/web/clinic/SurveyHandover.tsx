import { useState } from 'react';
import { ApiError, api, apiFile } from '../api.ts';
import { Link } from '../router.tsx';

/**
 * For an open survey on the patient's page: print it as a paper form, or hand it to the
 * patient on this device (a clinic tablet), which signs the clinician out first.
 */
export function SurveyHandover({ surveyId, label }: { surveyId: string; label: string }) {
  const [printed, setPrinted] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState('');
  // The patient's language cannot be printed (right to left, or a script the form's font lacks).
  const [languageRefused, setLanguageRefused] = useState(false);
  const [busy, setBusy] = useState(false);

  async function print(language?: string) {
    setBusy(true);
    setError('');
    setLanguageRefused(false);
    try {
      const query = language ? `?language=${encodeURIComponent(language)}` : '';
      const { blob, headers } = await apiFile('POST', `/surveys/${surveyId}/paper-form${query}`);
      const code = headers.get('X-Form-Code') ?? '';
      const shown = `${code.slice(0, 4)}-${code.slice(4)}`;
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `questionnaire-${shown}.pdf`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setPrinted(shown);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
      setLanguageRefused(
        e instanceof ApiError && e.status === 409 && e.fieldMessage('language') !== undefined,
      );
    } finally {
      setBusy(false);
    }
  }

  async function handOver() {
    setBusy(true);
    setError('');
    try {
      const r = await api<{ url: string }>('POST', `/surveys/${surveyId}/tablet`);
      // Replace, not push: the clinic page leaves this tab's history, and the session is over.
      window.location.replace(r.url);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
      setBusy(false);
    }
  }

  return (
    <div className="survey-handover">
      <button type="button" onClick={() => print()} disabled={busy}>
        Print paper form<span className="visually-hidden"> for {label}</span>
      </button>{' '}
      {!confirming ? (
        <button type="button" onClick={() => setConfirming(true)} disabled={busy}>
          Hand over on this tablet<span className="visually-hidden"> for {label}</span>
        </button>
      ) : (
        <div className="handover-confirm">
          <p>
            This signs you out on this device and shows the patient only this survey. The tablet
            locks when the survey is sent or left untouched for 3 minutes; sign in again to use the
            clinic app.
          </p>
          <button type="button" onClick={handOver} disabled={busy}>
            Sign me out and hand over
          </button>{' '}
          <button type="button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      )}
      {printed && (
        <p role="status">
          Paper form {printed} downloaded: print it and give it to the patient. When it comes back,
          enter it under <Link to="/paper-forms">Paper forms</Link>.
        </p>
      )}
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {languageRefused && (
        <button type="button" onClick={() => print('en')} disabled={busy}>
          Print in English instead<span className="visually-hidden"> for {label}</span>
        </button>
      )}
    </div>
  );
}
