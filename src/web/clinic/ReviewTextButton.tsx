import { useState } from 'react';
import { ApiError, api } from '../api.ts';

/**
 * Free text reaches researchers only once a clinician has read it and found no identifying
 * details in it; this marks it so, or says it already is.
 */
export function ReviewTextButton({
  kind,
  id,
  reviewed,
  onReviewed,
}: {
  kind: 'diagnosis' | 'treatment-notes' | 'adverse-event-description';
  id: string;
  reviewed: boolean;
  onReviewed: () => void;
}) {
  const [error, setError] = useState('');
  if (reviewed) return <span className="muted"> (shown to researchers: reviewed)</span>;
  const mark = () =>
    api('POST', '/free-text-reviews', { kind, id })
      .then(onReviewed)
      .catch((e) => setError(e instanceof ApiError ? e.message : String(e)));
  return (
    <>
      {' '}
      <button type="button" className="link-button" onClick={mark}>
        No identifying details: show to researchers
      </button>
      {error && (
        <span className="error-text" role="alert">
          {' '}
          {error}
        </span>
      )}
    </>
  );
}
