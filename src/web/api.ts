/** A failed API call, with the server's message and the fields it names. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fields: { field: string; message: string }[] = [],
  ) {
    super(message);
  }

  fieldMessage(field: string): string | undefined {
    return this.fields.find((f) => f.field === field)?.message;
  }
}

let csrfToken = '';
export function setCsrfToken(token: string) {
  csrfToken = token;
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(`/api${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new ApiError(0, 'Cannot reach StemTrack. Check your connection and try again.');
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = (
      data as { error?: { message?: string; fields?: { field: string; message: string }[] } }
    ).error;
    throw new ApiError(
      response.status,
      error?.message ?? `Request failed (${response.status})`,
      error?.fields ?? [],
    );
  }
  return data as T;
}

/** A call whose reply is a file (a printable PDF): the file and the reply's headers. */
export async function apiFile(
  method: string,
  path: string,
): Promise<{ blob: Blob; headers: Headers }> {
  const headers: Record<string, string> = {};
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(`/api${path}`, { method, headers, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'Cannot reach StemTrack. Check your connection and try again.');
  }
  if (!response.ok) {
    const data = (await response.json().catch(() => ({}))) as {
      error?: { message?: string; fields?: { field: string; message: string }[] };
    };
    throw new ApiError(
      response.status,
      data.error?.message ?? `Request failed (${response.status})`,
      data.error?.fields ?? [],
    );
  }
  return { blob: await response.blob(), headers: response.headers };
}
