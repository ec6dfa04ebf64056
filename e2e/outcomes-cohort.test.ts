import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchChromium,
  openFromMenu,
  type RunningServer,
  signIn,
  startStemTrack,
} from './harness.ts';

/** The number a section's "N … in this cohort." line gives. */
async function cohortSize(page: Page, section: string): Promise<number> {
  const line = page
    .locator('section')
    .filter({ has: page.getByRole('heading', { name: section }) })
    .getByText(/in this cohort\.$/);
  await line.first().waitFor();
  return Number(((await line.first().textContent()) ?? '').replace(/[^0-9]/g, ''));
}

describe('the Outcomes page describes one cohort in every section', () => {
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

  it('narrows the curves, completeness and adverse events with the filters', async () => {
    const page = await (
      await browser.newContext({ viewport: { width: 1366, height: 900 } })
    ).newPage();
    await signIn(page, server.url, 'researcher@harbour.example', 'stemtrack-demo');
    await openFromMenu(page, 'Outcomes');
    const all = {
      durability: await cohortSize(page, 'Durability and recovery'),
      completeness: await cohortSize(page, 'Follow-up completeness'),
      treatments: await cohortSize(page, 'Adverse events'),
    };
    expect(all.durability).toBeGreaterThan(0);
    expect(all.completeness).toBe(all.durability);

    await page.getByLabel('Joint').selectOption('hip');
    // Wait for every section to show the filtered cohort, not a fixed time: each section loads
    // on its own, so one having narrowed says nothing of the others.
    for (const [section, before] of [
      ['Durability and recovery', all.durability],
      ['Follow-up completeness', all.completeness],
      ['Adverse events', all.treatments],
    ] as const)
      await expect.poll(() => cohortSize(page, section), { timeout: 60_000 }).toBeLessThan(before);
    const hips = {
      durability: await cohortSize(page, 'Durability and recovery'),
      completeness: await cohortSize(page, 'Follow-up completeness'),
      treatments: await cohortSize(page, 'Adverse events'),
    };
    expect(hips.completeness).toBe(hips.durability);
    expect(hips.treatments).toBeLessThan(all.treatments);
    expect(hips.durability).toBeGreaterThan(0);
  });
});
