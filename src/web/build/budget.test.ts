import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  checkEntryBudget,
  compressedCopies,
  filesLoadedBy,
  type Manifest,
  SURVEY_JS_BUDGET,
} from './budget.ts';

const MANIFEST: Manifest = {
  'survey.html': {
    file: 'assets/survey.js',
    isEntry: true,
    imports: ['_dom.js', '_shared.js'],
  },
  '_dom.js': { file: 'assets/dom.js', imports: ['_shared.js'] },
  '_shared.js': { file: 'assets/shared.js' },
  'survey/own-chart.ts': { file: 'assets/own-chart.js', imports: ['_plot.js'] },
  '_plot.js': { file: 'assets/plot.js' },
};

/** Bytes that gzip cannot shrink, so a file's gzipped size is about its length. */
const noise = (length: number): Buffer => randomBytes(length);

describe('the survey budget', () => {
  it('counts the entry and its static imports once each, not the chart it loads later', () => {
    expect(filesLoadedBy(MANIFEST, 'survey.html')).toEqual([
      'assets/survey.js',
      'assets/dom.js',
      'assets/shared.js',
    ]);
  });

  it('passes under the budget and fails above it, naming the files', () => {
    const small = (file: string) => (file === 'assets/plot.js' ? noise(200_000) : noise(1_000));
    expect(checkEntryBudget(MANIFEST, 'survey.html', SURVEY_JS_BUDGET, small)).toBeLessThan(4_000);
    const big = (file: string) => (file === 'assets/shared.js' ? noise(50_000) : noise(1_000));
    expect(() => checkEntryBudget(MANIFEST, 'survey.html', SURVEY_JS_BUDGET, big)).toThrow(
      /survey\.html loads 5\d\.\d KB of gzipped JavaScript, over its budget of 50 KB \(.*assets\/shared\.js/,
    );
  });

  it('says which entries there are when the survey entry is missing', () => {
    expect(() => filesLoadedBy({ 'index.html': { file: 'a.js' } }, 'survey.html')).toThrow(
      /no entry survey\.html; the entries are index\.html/,
    );
  });

  it('writes compressed copies that decode to the file', () => {
    const content = Buffer.from('console.log("hello");'.repeat(100));
    const { gz, br } = compressedCopies(content);
    expect(gunzipSync(gz)).toEqual(content);
    expect(br.length).toBeLessThan(content.length);
  });

  const built = fileURLToPath(new URL('../../../dist/web', import.meta.url));
  const manifestFile = join(built, '.vite', 'manifest.json');
  it('holds for the app as last built', (context) => {
    // npm test builds first; `npm run check` alone has nothing built to measure.
    if (!existsSync(manifestFile)) {
      const why = 'skipped: no build in dist/web yet (npm test builds one first)';
      console.warn(`budget of the app as last built: ${why}`);
      context.skip(why);
    }
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest;
    const total = checkEntryBudget(manifest, 'survey.html', SURVEY_JS_BUDGET, (f) =>
      readFileSync(join(built, f)),
    );
    expect(total).toBeGreaterThan(0);
    // The clinic's renderer stays out of the survey's first load.
    const first = filesLoadedBy(manifest, 'survey.html').map((f) =>
      readFileSync(join(built, f), 'utf8'),
    );
    expect(first.some((js) => js.includes('react.production') || js.includes('__reactFiber'))).toBe(
      false,
    );
  });
});
