import { existsSync } from 'node:fs';
import { ensureWebBuilt } from '../src/cli/start.ts';
import { CHROMIUM } from './harness.ts';

/** Builds the web app once for every browser test, and checks the browser is there. */
export default async function setup() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Browser tests need Debian's Chromium at ${CHROMIUM}: apt-get install -y chromium (.ci/run does this).`,
    );
  }
  await ensureWebBuilt();
}
