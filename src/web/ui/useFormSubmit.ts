import { type FormEvent, useState } from 'react';
import { ApiError } from '../api.ts';

/**
 * The submit handler every clinic form shares: read the named inputs, send them, show the
 * server's error (with its fields) or reset the form on success.
 */
export function useFormSubmit(
  send: (values: Record<string, string>) => Promise<void>,
  options: { resetOnSuccess?: boolean } = {},
) {
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const values: Record<string, string> = {};
    new FormData(form).forEach((v, k) => {
      values[k] = String(v);
    });
    setBusy(true);
    try {
      await send(values);
      setError(null);
      if (options.resetOnSuccess) form.reset();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, String(err)));
    } finally {
      setBusy(false);
    }
  }
  return { error, busy, onSubmit };
}
