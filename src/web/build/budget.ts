import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** The part of Vite's build manifest (`.vite/manifest.json`) the budget reads. */
export type Manifest = Record<string, { file: string; imports?: string[]; isEntry?: boolean }>;

/**
 * The most JavaScript a survey link may send, gzipped: a patient on a slow phone network
 * (1.6 Mbit/s) gets 50 KB in about a quarter of a second.
 */
export const SURVEY_JS_BUDGET = 50 * 1024;

/**
 * Every JS file an entry's HTML loads before it runs: the entry and, transitively, its static
 * imports. Dynamic imports (the thank-you page's chart) load later and are not counted.
 */
export function filesLoadedBy(manifest: Manifest, entry: string): string[] {
  const start = manifest[entry];
  if (!start) {
    throw new Error(
      `The build manifest has no entry ${entry}; the entries are ${Object.keys(manifest).join(', ')}`,
    );
  }
  const seen = new Set<string>();
  const files: string[] = [];
  const walk = (key: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    const chunk = manifest[key];
    if (!chunk) return;
    if (chunk.file.endsWith('.js')) files.push(chunk.file);
    for (const imported of chunk.imports ?? []) walk(imported);
  };
  walk(entry);
  return files;
}

export function gzippedSize(content: Buffer): number {
  return gzipSync(content, { level: 9 }).length;
}

/**
 * Throws when the JS an entry loads is, gzipped, over `budget` bytes; returns the total.
 * `read` gives a built file's bytes by its path in the manifest.
 */
export function checkEntryBudget(
  manifest: Manifest,
  entry: string,
  budget: number,
  read: (file: string) => Buffer,
): number {
  const files = filesLoadedBy(manifest, entry);
  const sizes = files.map((file) => ({ file, bytes: gzippedSize(read(file)) }));
  const total = sizes.reduce((sum, s) => sum + s.bytes, 0);
  if (total > budget) {
    const list = sizes.map((s) => `${s.file} ${(s.bytes / 1024).toFixed(1)} KB`).join(', ');
    throw new Error(
      `${entry} loads ${(total / 1024).toFixed(1)} KB of gzipped JavaScript, over its budget of ${(budget / 1024).toFixed(0)} KB (${list}). Move what the first screen does not need behind a dynamic import(), or keep React and large libraries out of this entry.`,
    );
  }
  return total;
}

/** Brotli and gzip copies of a built file, written beside it so the server sends them as they are. */
export function compressedCopies(content: Buffer): { br: Buffer; gz: Buffer } {
  return {
    br: brotliCompressSync(content, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: content.length,
      },
    }),
    gz: gzipSync(content, { level: 9 }),
  };
}
