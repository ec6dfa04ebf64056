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
 * Serves the built web app from `root`; any path that is not a file gets index.html, so the
 * app's own routes (e.g. /patients/…, /s/TOKEN) work on reload.
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
    const file = inside && (await isFile(requested)) ? requested : join(base, 'index.html');
    const body = await readFile(file);
    // Vite puts a content hash in every asset name, so those never change.
    const cache = file.includes(`${sep}assets${sep}`)
      ? 'public, max-age=31536000, immutable'
      : 'no-cache';
    return c.body(body, 200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Cache-Control': cache,
    });
  };
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
