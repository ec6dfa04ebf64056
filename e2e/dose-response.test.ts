import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchChromium,
  openFromMenu,
  pageOverflows,
  type RunningServer,
  signIn,
  startStemTrack,
} from './harness.ts';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** axe-core's WCAG 2.1 A and AA findings that are serious or critical, as "rule: targets". */
async function seriousViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run: (
            c: Document,
            o: unknown,
          ) => Promise<{
            violations: { id: string; impact: string | null; nodes: { target: unknown[] }[] }[];
          }>;
        };
      }
    ).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
  });
}

describe('dose–response, responders and work status on the Outcomes page', () => {
  let server: RunningServer;
  let browser: Browser;
  beforeAll(async () => {
    // The demo registry, so the curves and tables are full.
    server = await startStemTrack([]);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  for (const width of [360, 1366]) {
    it(`shows curves with their band, why some have none, and honest responders at ${width} px`, async () => {
      // axe-core is added as a script: the context lets it past the page's CSP (as the screens test does).
      const page = await (
        await browser.newContext({ viewport: { width, height: 900 }, bypassCSP: true })
      ).newPage();
      await signIn(page, server.url, 'clinician@harbour.example', 'stemtrack-demo');
      await openFromMenu(page, 'Outcomes');
      const section = page
        .locator('section')
        .filter({ has: page.getByRole('heading', { name: 'Dose and response' }) });
      await section.getByText(/^Associations in an observational registry, not effects/).waitFor();
      // At least one product class has a curve; the rest say why not, instead of drawing one.
      await section
        .getByRole('figure', { name: /change from baseline against dose/ })
        .first()
        .waitFor({ timeout: 60_000 });
      await expect(
        section.getByText(/^No dose recorded|^Too few joints/).count(),
      ).resolves.toBeGreaterThan(0);
      // Which dose a joint is placed at: its first series' total, said beside the curves.
      await section
        .getByText(/^Which dose:/)
        .first()
        .waitFor();
      await section.getByText(/the total of its first series of injections/).waitFor();
      await expect(section.getByText(/Per doubling of the dose/).count()).resolves.toBeGreaterThan(
        0,
      );
      await section
        .getByRole('table', { name: /against/ })
        .first()
        .waitFor();

      // The pain NRS: the 2-point and the 30% criteria side by side, with their population.
      const responders = page
        .locator('section')
        .filter({ has: page.getByRole('heading', { name: 'Responders' }) });
      await responders.getByRole('columnheader', { name: /Down by 30% or more/ }).waitFor();
      await responders
        .getByText(/The MCID was derived in: 2724 adults with chronic pain/)
        .waitFor();
      // The demo answers the patient global, so OMERACT-OARSI shares are exact.
      await expect(responders.getByText('(exact)').count()).resolves.toBeGreaterThan(0);
      // KOOS Pain's PASS came from arthroplasty: a plain warning beside it.
      await page.getByLabel('Outcome').selectOption({ label: 'KOOS Pain 0–100' });
      await responders.getByText(/Warning: Derived in patients after joint surgery/).waitFor();

      // Work status per time point, in the form's words with n (the demo asks it yearly).
      const work = page
        .locator('section')
        .filter({ has: page.getByRole('heading', { name: 'Work status' }) });
      const workTable = work.getByRole('table', { name: /Work status per time point/ });
      await workTable.getByRole('columnheader', { name: 'In paid work, full time' }).waitFor();
      await workTable.getByRole('columnheader', { name: 'Joints answering (n)' }).waitFor();
      await workTable.getByRole('cell', { name: '12 months' }).waitFor();
      await expect(
        workTable.getByRole('cell', { name: /\d+ \(\d+%\)$/ }).count(),
      ).resolves.toBeGreaterThan(4);
      expect(await work.textContent()).not.toMatch(/\bWORK\b|satisfaction-work/);
      expect(await pageOverflows(page)).toBe(false);

      expect(await seriousViolations(page)).toEqual([]);
      // For looking at by eye (kept under /tmp only).
      await section.screenshot({ path: `/tmp/o/dose-response-${width}.png` });
      await responders.screenshot({ path: `/tmp/o/responders-${width}.png` });
      await work.screenshot({ path: `/tmp/o/work-status-${width}.png` });
      await section
        .locator('.dose-curve')
        .filter({ has: page.getByRole('figure') })
        .first()
        .screenshot({ path: `/tmp/o/dose-curve-${width}.png` });
      await section
        .getByRole('table')
        .first()
        .screenshot({ path: `/tmp/o/dose-table-${width}.png` });
      await page.context().close();
    });
  }
});
