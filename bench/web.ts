/**
 * What each page costs a phone on a slow mobile network: JavaScript and total bytes over the
 * wire, and the time until its first screen can be used. Prints numbers; asserts nothing.
 *
 *   npm run bench:web -- [--runs 3] [--patients 60]
 *
 * Runs `stemtrack start` (demo registry) on a temporary data folder and Debian's Chromium with
 * a fresh, cold cache per visit, over the network the survey must work on: 150 ms round trip,
 * 1.6 Mbit/s down, 750 kbit/s up, and the CPU slowed 4× to stand for a mid-range phone.
 */

import { parseArgs } from 'node:util';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { launchChromium, startStemTrack } from '../e2e/harness.ts';
import { DEMO_LOGINS, DEMO_PASSWORD } from '../src/app/demo.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    patients: { type: 'string', default: '60' },
  },
});
const runs = Number(values.runs);

const NETWORK = {
  offline: false,
  latency: 150,
  downloadThroughput: 1.6e6 / 8,
  uploadThroughput: 750e3 / 8,
};
const CPU_SLOWDOWN = 4;

interface Visit {
  js: number;
  total: number;
  usableMs: number;
}

interface PageCase {
  name: string;
  path: string;
  signedIn: boolean;
  /** The control whose being visible and enabled makes the first screen usable. */
  usable: (page: Page) => Locator;
}

/** Loads `path` on a throttled page and counts what came over the wire until `usable`. */
async function visit(context: BrowserContext, base: string, c: PageCase): Promise<Visit> {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', NETWORK);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
  const kinds = new Map<string, string>();
  let js = 0;
  let total = 0;
  cdp.on('Network.responseReceived', (e) => kinds.set(e.requestId, e.type));
  cdp.on('Network.loadingFinished', (e) => {
    total += e.encodedDataLength;
    if (kinds.get(e.requestId) === 'Script') js += e.encodedDataLength;
  });
  const started = performance.now();
  await page.goto(base + c.path, { waitUntil: 'commit' });
  const target = c.usable(page);
  await target.waitFor({ state: 'visible', timeout: 120_000 });
  while (!(await target.isEnabled())) await page.waitForTimeout(10);
  const usableMs = performance.now() - started;
  // Whatever the page still fetches on its own (a lazy chunk) counts toward its bytes.
  await page.waitForLoadState('networkidle');
  await page.close();
  return { js, total, usableMs };
}

async function surveyLink(base: string, context: BrowserContext): Promise<string> {
  const request = context.request;
  const login = await request.post(`${base}/api/auth/login`, {
    data: { email: DEMO_LOGINS[0]?.email, password: DEMO_PASSWORD },
  });
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const headers = { 'X-CSRF-Token': csrfToken };
  const patient = await request.post(`${base}/api/patients`, {
    headers,
    data: {
      givenName: 'Bench',
      familyName: 'Patient',
      dateOfBirth: '1961-05-20',
      sex: 'female',
      email: 'bench@example.org',
      consentDate: new Date().toISOString().slice(0, 10),
      consentGiven: true,
    },
  });
  const { id } = (await patient.json()) as { id: string };
  const episode = await request.post(`${base}/api/patients/${id}/episodes`, {
    headers,
    data: { joint: 'knee', side: 'right', klGrade: 3 },
  });
  const episodeId = ((await episode.json()) as { id: string }).id;
  await request.post(`${base}/api/episodes/${episodeId}/treatments`, {
    headers,
    data: {
      treatmentDate: new Date().toISOString().slice(0, 10),
      productClass: 'BMAC',
      cellDoseMillions: null,
      volumeMl: 8,
      imageGuidance: 'ultrasound',
    },
  });
  const issued = await request.post(`${base}/api/episodes/${episodeId}/surveys`, {
    headers,
    data: { timepoint: 'baseline' },
  });
  const body = (await issued.json()) as { url?: string };
  if (!body.url) throw new Error(`no survey link: ${JSON.stringify(body)}`);
  return new URL(body.url).pathname;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

async function main() {
  console.log(`Starting stemtrack (demo registry, ${values.patients} patients)…`);
  const server = await startStemTrack(['--patients', String(values.patients)]);
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const phone = { viewport: { width: 360, height: 740 }, isMobile: true };
    const setup = await browser.newContext(phone);
    const survey = await surveyLink(server.url, setup);
    const cases: PageCase[] = [
      {
        name: 'survey link',
        path: survey,
        signedIn: false,
        usable: (p) => p.getByRole('button', { name: 'Start' }),
      },
      {
        name: 'unsubscribe',
        path: '/unsubscribe/bench-token',
        signedIn: false,
        usable: (p) => p.getByRole('button', { name: 'Stop the e-mails' }),
      },
      {
        name: 'evidence',
        path: '/evidence',
        signedIn: false,
        usable: (p) => p.getByRole('heading', { level: 1 }),
      },
      {
        name: 'clinic sign-in',
        path: '/',
        signedIn: false,
        usable: (p) => p.getByRole('button', { name: 'Sign in' }),
      },
      {
        name: 'clinic outcomes',
        path: '/outcomes',
        signedIn: true,
        usable: (p) => p.getByRole('figure').first(),
      },
    ];
    console.log(
      `\nNetwork: ${NETWORK.latency} ms RTT, 1.6 Mbit/s down, 750 kbit/s up; CPU ${CPU_SLOWDOWN}× slower; cold cache; median of ${runs}\n`,
    );
    console.log(
      `${'page'.padEnd(18)}${'JS over wire'.padStart(14)}${'all bytes'.padStart(12)}${'usable after'.padStart(15)}`,
    );
    for (const c of cases) {
      const visits: Visit[] = [];
      for (let i = 0; i < runs; i++) {
        // A fresh context each time: no cache, and signed in only where the page needs it.
        const context = await browser.newContext(phone);
        if (c.signedIn) {
          await context.request.post(`${server.url}/api/auth/login`, {
            data: { email: DEMO_LOGINS[0]?.email, password: DEMO_PASSWORD },
          });
        }
        visits.push(await visit(context, server.url, c));
        await context.close();
      }
      console.log(
        `${c.name.padEnd(18)}${kb(median(visits.map((v) => v.js))).padStart(14)}${kb(
          median(visits.map((v) => v.total)),
        ).padStart(
          12,
        )}${`${(median(visits.map((v) => v.usableMs)) / 1000).toFixed(2)} s`.padStart(15)}`,
      );
    }
  } finally {
    await browser?.close();
    await server.stop();
  }
}

await main();
