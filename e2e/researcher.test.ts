import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type RunningServer, signIn, startStemTrack } from './harness.ts';

/** Registry ids (e.g. HB-0001) and ISO or written dates must not reach a researcher's screen. */
const REGISTRY_ID = /\b[A-Z]{2,}-\d{3,}\b/;
const A_DATE =
  /\b(19|20)\d\d-\d\d-\d\d\b|\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}\b/;

describe('a researcher in the app sees what the de-identified export holds', () => {
  let server: RunningServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await startStemTrack([]);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('lists study ids and shows a record in months after treatment', async () => {
    for (const width of [360, 1366]) {
      const page = await (await browser.newContext({ viewport: { width, height: 900 } })).newPage();
      await signIn(page, server.url, 'researcher@harbour.example', 'stemtrack-demo');
      await page.getByRole('heading', { level: 1, name: 'Patients' }).waitFor();
      const first = page.getByRole('link', { name: /^S-[0-9a-f]{12}$/ }).first();
      await first.waitFor();
      const list = (await page.locator('main').textContent()) ?? '';
      expect(list).not.toMatch(REGISTRY_ID);
      expect(list).not.toMatch(A_DATE);
      expect(await page.getByLabel(/Search by name/).count()).toBe(0);
      const studyId = (await first.textContent()) ?? '';
      await first.click();
      await page.getByRole('heading', { level: 1, name: new RegExp(studyId) }).waitFor();
      await page
        .getByText(/months after the first treatment|at the first treatment/)
        .first()
        .waitFor();
      const record = (await page.locator('main').textContent()) ?? '';
      expect(record).not.toMatch(REGISTRY_ID);
      expect(record).not.toMatch(A_DATE);
      await page.context().close();
    }
  });
});
