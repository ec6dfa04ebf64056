import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type RunningServer, signIn, startStemTrack } from './harness.ts';

describe('stemtrack start on an empty folder (what `npm start` runs)', () => {
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

  it('seeds the 600-patient demo registry and prints the URL and demo sign-in within a minute', () => {
    console.log(
      `stemtrack start: ready in ${server.readySeconds.toFixed(1)} s (demo seeding and web build included)`,
    );
    expect(server.output()).toContain('Seeded 600 patients');
    expect(server.output()).toContain('Demo sign-in: clinician@harbour.example / stemtrack-demo');
    expect(server.readySeconds).toBeLessThan(60);
  });

  it('lets the demo clinician browse patients and open one with scores', async () => {
    const page = await (await browser.newContext()).newPage();
    await signIn(page, server.url, 'clinician@harbour.example', 'stemtrack-demo');
    await page.getByText('400 patients at Harbour Orthobiologics Clinic').waitFor();
    await page.getByLabel('Search by name or registry id').fill('DEMO-00002');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: 'DEMO-00002' }).click();
    await page.getByRole('heading', { name: /DEMO-00002/ }).waitFor();
    expect(await page.locator('table.scores tbody tr').count()).toBeGreaterThan(0);
  });

  it('shows the researcher registry ids without names', async () => {
    const page = await (await browser.newContext()).newPage();
    await signIn(page, server.url, 'researcher@harbour.example', 'stemtrack-demo');
    await page.getByText('400 patients at Harbour Orthobiologics Clinic').waitFor();
    const headers = await page.locator('thead th').allInnerTexts();
    expect(headers).toEqual(['Registry id', 'Birth year', 'Sex', 'Joints', 'Responses']);
    expect(await page.getByRole('link', { name: 'Enrol patient' }).count()).toBe(0);
  });
});
