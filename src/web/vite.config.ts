import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import {
  checkEntryBudget,
  compressedCopies,
  type Manifest,
  SURVEY_JS_BUDGET,
} from './build/budget.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const outDir = fileURLToPath(new URL('../../dist/web', import.meta.url));
const COMPRESSIBLE = new Set(['.js', '.css', '.html', '.svg', '.json', '.webmanifest']);

/** Fails the build when a survey link would load more JavaScript than its budget. */
function surveyBudget(): Plugin {
  return {
    name: 'stemtrack-survey-budget',
    apply: 'build',
    closeBundle: {
      order: 'pre',
      handler() {
        const manifest = JSON.parse(
          readFileSync(join(outDir, '.vite', 'manifest.json'), 'utf8'),
        ) as Manifest;
        checkEntryBudget(manifest, 'survey.html', SURVEY_JS_BUDGET, (file) =>
          readFileSync(join(outDir, file)),
        );
      },
    },
  };
}

/** Writes file.br and file.gz beside each text file, so the server never compresses per request. */
function precompress(): Plugin {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
    );
  return {
    name: 'stemtrack-precompress',
    apply: 'build',
    closeBundle: {
      order: 'post',
      handler() {
        for (const file of walk(outDir)) {
          if (!COMPRESSIBLE.has(extname(file)) || file.includes(`${join(outDir, '.vite')}`))
            continue;
          const { br, gz } = compressedCopies(readFileSync(file));
          writeFileSync(`${file}.br`, br);
          writeFileSync(`${file}.gz`, gz);
        }
      },
    },
  };
}

export default defineConfig({
  root: here,
  plugins: [react(), surveyBudget(), precompress()],
  build: {
    outDir,
    emptyOutDir: true,
    manifest: true,
    // Every browser we support has modulepreload; the polyfill was one more request per page.
    modulePreload: { polyfill: false },
    // One HTML page per audience: a survey link never loads the clinic app.
    rollupOptions: {
      input: {
        index: join(here, 'index.html'),
        survey: join(here, 'survey.html'),
        unsubscribe: join(here, 'unsubscribe.html'),
        evidence: join(here, 'evidence.html'),
      },
    },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});
