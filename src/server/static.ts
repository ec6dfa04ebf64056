import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { Context } from 'hono';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.webmanifest': 'application/manifest+json',
};

/**
 * The pages that are their own HTML entry, so a patient's link loads neither React's clinic
 * app nor its charts; every other path is the clinic app (index.html).
 */
const PAGES: [RegExp, string][] = [
  [/^\/s\/[A-Za-z0-9_-]+$/, 'survey.html'],
  [/^\/unsubscribe\/[A-Za-z0-9_.-]+$/, 'unsubscribe.html'],
  [/^\/evidence$/, 'evidence.html'],
];

/** The HTML file a path that is not a built file is answered with. */
export function pageFor(path: string): string {
  return PAGES.find(([pattern]) => pattern.test(path))?.[1] ?? 'index.html';
}

/**
 * The precompressed copy (written by the build beside each text file) the client accepts,
 * brotli first: `br`, `gzip`, or none. A coding with q=0 is refused.
 */
export function chosenEncoding(acceptEncoding: string | undefined): 'br' | 'gzip' | null {
  const accepted = new Set(
    (acceptEncoding ?? '')
      .split(',')
      .map((part) => part.trim().split(';'))
      .filter(([, q]) => !/^\s*q=0(\.0*)?\s*$/.test(q ?? ''))
      .map(([name]) => (name ?? '').trim().toLowerCase()),
  );
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip')) return 'gzip';
  return null;
}

/**
 * Serves the built web app from `root`: a built file as it is (its brotli or gzip copy when the
 * client takes one), and for any other path the HTML page that answers it, so the app's own
 * routes (e.g. /patients/…, /s/TOKEN) work on reload.
 */
export function serveWebApp(root: string) {
  const base = normalize(root + sep);
  return async (c: Context) => {
    let path: string;
    try {
      path = decodeURIComponent(c.req.path);
    } catch {
      return c.text('Bad request: the address is not validly percent-encoded.', 400);
    }
    const requested = normalize(join(base, path));
    const inside = requested.startsWith(base);
    const file = inside && (await isFile(requested)) ? requested : join(base, pageFor(c.req.path));
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    // Vite puts a content hash in every asset name, so those never change.
    const cache = file.includes(`${sep}assets${sep}`)
      ? 'public, max-age=31536000, immutable'
      : 'no-cache';
    const headers: Record<string, string> = { 'Content-Type': type, 'Cache-Control': cache };
    const encoding = chosenEncoding(c.req.header('Accept-Encoding'));
    const copy = encoding && `${file}.${encoding === 'br' ? 'br' : 'gz'}`;
    if (await isFile(`${file}.gz`)) headers.Vary = 'Accept-Encoding';
    if (copy && (await isFile(copy))) {
      headers['Content-Encoding'] = encoding;
      return c.body(await readFile(copy), 200, headers);
    }
    return c.body(await readFile(file), 200, headers);
  };
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
