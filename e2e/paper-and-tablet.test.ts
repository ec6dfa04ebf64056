import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pdfPageTexts } from '../src/testing/pdf.ts';
import {
  launchChromium,
  openFromMenu,
  pageOverflows,
  type RunningServer,
  seriousViolations,
  signIn,
  startStemTrack,
} from './harness.ts';

// The demo registry: its simulated outreach leaves open surveys on the call list; its admin
// is the second staff member of a double entry.
const EMAIL = 'clinician@harbour.example';
const PASSWORD = 'stemtrack-demo';
const SECOND = 'admin@harbour.example';
/** Screenshots for a person to look at; never committed. */
const SHOTS = process.env.STEMTRACK_SHOTS;

/**
 * Opens the page of a patient with an open survey (its "Print paper form" button shows), other
 * than those in `skip`; returns their registry number. Few demo surveys are open at once.
 */
async function patientWithOpenSurvey(page: Page, url: string, skip: Set<string>): Promise<string> {
  await page.goto(`${url}/`);
  const links = page.locator('a[href^="/patients/"][href*="-"]');
  await links.first().waitFor();
  const hrefs = (
    await links.evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''))
  ).filter((h) => /^\/patients\/[0-9a-f-]{36}$/.test(h));
  for (const href of hrefs) {
    await page.goto(`${url}${href}`);
    await page.getByRole('heading', { name: 'Surveys' }).first().waitFor();
    const registryId = (
      (await page.getByRole('heading', { level: 1 }).locator('.muted').textContent()) ?? ''
    ).trim();
    if (skip.has(registryId)) continue;
    if ((await page.getByRole('button', { name: /^Print paper form/ }).count()) > 0) {
      return registryId;
    }
  }
  throw new Error('no patient with an open survey in the demo registry');
}

/** Ticks an answer for every question of the entry form: the first, or `other` for item 1. */
async function tickAll(page: Page, otherForFirst: boolean) {
  const items = page.locator('fieldset.paper-item');
  const n = await items.count();
  expect(n).toBeGreaterThan(0);
  for (let i = 0; i < n; i++)
    await items
      .nth(i)
      .getByRole('radio')
      .nth(i === 0 && otherForFirst ? 1 : 0)
      .check();
}

describe('paper forms and the clinic tablet in a real browser', () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startStemTrack(['--patients', '150', '--seed', '7']);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  for (const width of [360, 1366] as const) {
    it(`finds paper forms from the Follow-up page by clicking at ${width} px`, async () => {
      const context = await browser.newContext({
        viewport: { width, height: 900 },
        bypassCSP: true,
        acceptDownloads: true,
      });
      const page = await context.newPage();
      await signIn(page, server.url, EMAIL, PASSWORD);
      await openFromMenu(page, 'Follow-up');
      const paper = page.getByRole('region', { name: 'Paper forms' });
      await paper.waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      expect(await pageOverflows(page)).toBe(false);
      if (SHOTS) await page.screenshot({ path: `${SHOTS}/follow-up-paper-${width}.png` });

      // A due time point whose link went out: its patient's page prints the form.
      await page
        .getByRole('link', { name: /^Print on paper for / })
        .first()
        .click();
      await page.getByRole('heading', { name: 'Surveys' }).first().waitFor();
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page
          .getByRole('button', { name: /^Print paper form/ })
          .first()
          .click(),
      ]);
      const pdf = await readFile((await download.path()) ?? '');
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      await page
        .getByRole('status')
        .filter({ hasText: /^Paper form / })
        .waitFor();

      // Back on Follow-up, the returned form's entry page is one click away.
      await openFromMenu(page, 'Follow-up');
      await paper.getByRole('link', { name: 'enter returned paper forms' }).click();
      await page.getByRole('heading', { level: 1, name: 'Paper forms' }).waitFor();
      await page.getByLabel('Form code').waitFor();
      // The menu says where this page belongs.
      expect(await page.locator('nav#main-menu a[aria-current="page"]').textContent()).toBe(
        'Follow-up',
      );
      await context.close();
    });
  }

  for (const width of [1366, 360] as const) {
    it(`prints a form, enters it twice with one difference, settles it, and hands a survey over on a tablet at ${width} px`, async () => {
      const viewport = { width, height: 900 };
      const context = await browser.newContext({
        viewport,
        bypassCSP: true,
        acceptDownloads: true,
      });
      const page = await context.newPage();
      await signIn(page, server.url, EMAIL, PASSWORD);
      const registryId = await patientWithOpenSurvey(page, server.url, new Set());
      expect(await seriousViolations(page)).toEqual([]);

      // Print: a PDF downloads, and the page names the form's code.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page
          .getByRole('button', { name: /^Print paper form/ })
          .first()
          .click(),
      ]);
      const pdf = await readFile((await download.path()) ?? '');
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      const status = page.getByRole('status').filter({ hasText: /^Paper form / });
      await status.waitFor();
      const code = /Paper form ([0-9A-Z]{4}-[0-9A-Z]{4})/.exec(
        (await status.textContent()) ?? '',
      )?.[1];
      expect(code).toBeTruthy();
      if (SHOTS) await page.screenshot({ path: `${SHOTS}/paper-printed-${width}.png` });

      // First entry, waiting for a second; the code typed in lower case with a space.
      await status.getByRole('link', { name: 'Paper forms' }).click();
      await page.getByLabel('Form code').fill((code ?? '').toLowerCase().replace('-', ' '));
      await page.getByRole('button', { name: 'Find form' }).click();
      await page.getByRole('heading', { name: `Form ${code}` }).waitFor();
      await page.getByLabel('Patient number as printed on the form').fill(registryId);
      await tickAll(page, false);
      await page.getByLabel(/Wait for a second entry/).check();
      expect(await seriousViolations(page)).toEqual([]);
      expect(await pageOverflows(page)).toBe(false);
      if (SHOTS) await page.screenshot({ path: `${SHOTS}/paper-entry-${width}.png` });
      await page.getByRole('button', { name: 'Save entry' }).click();
      await page.getByText('Entered once; waiting for a second entry').waitFor();

      // The second staff member types one answer differently: the difference is shown.
      const second = await (await browser.newContext({ viewport, bypassCSP: true })).newPage();
      await signIn(second, server.url, SECOND, PASSWORD);
      await openFromMenu(second, 'Call list');
      await second.getByRole('link', { name: 'enter returned paper forms' }).click();
      await second.getByLabel('Form code').fill(code ?? '');
      await second.getByRole('button', { name: 'Find form' }).click();
      await second.getByRole('heading', { name: 'Second entry' }).waitFor();
      await second.getByLabel('Patient number as printed on the form').fill(registryId);
      await tickAll(second, true);
      await second.getByRole('button', { name: 'Save entry' }).click();
      await second.getByText('Entered twice, with differences to settle.').waitFor();
      const differences = second.getByRole('form', { name: 'Settle the differences' });
      const rows = differences.locator('tbody tr');
      expect(await rows.count()).toBe(1);
      expect(await seriousViolations(second)).toEqual([]);
      expect(await pageOverflows(second)).toBe(false);
      if (SHOTS)
        await second.screenshot({ path: `${SHOTS}/paper-mismatch-${width}.png`, fullPage: true });
      // Recording with the difference unsettled is refused by name; then settled and recorded.
      await differences.getByRole('button', { name: 'Record settled answers' }).click();
      await differences
        .getByRole('alert')
        .getByText('Read this answer on the form and choose it')
        .waitFor();
      await rows.first().getByRole('combobox').selectOption({ index: 1 });
      await differences.getByRole('button', { name: 'Record settled answers' }).click();
      await second.getByText('Recorded and scored.').waitFor();
      await second.context().close();

      // The clinic tablet: the clinician hands the next open survey over and is signed out.
      const tabletPatient = await patientWithOpenSurvey(page, server.url, new Set([registryId]));
      await page.clock.install();
      await page
        .getByRole('button', { name: /^Hand over on this tablet/ })
        .first()
        .click();
      await page.getByRole('button', { name: 'Sign me out and hand over' }).click();
      await page.waitForURL(/\/s\/[A-Za-z0-9_-]{43}$/);
      await page.getByText('This tablet shows only your questionnaire.').waitFor();
      expect(await page.locator('nav#main-menu').count()).toBe(0);
      expect(await seriousViolations(page)).toEqual([]);
      expect(await pageOverflows(page)).toBe(false);
      if (SHOTS) await page.screenshot({ path: `${SHOTS}/tablet-survey-${width}.png` });

      // Left untouched for three minutes, it locks; the link leaves the address bar.
      await page.clock.fastForward('03:05');
      await page.getByRole('heading', { name: 'This tablet is locked' }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/s/locked');
      expect(await seriousViolations(page)).toEqual([]);
      if (SHOTS) await page.screenshot({ path: `${SHOTS}/tablet-locked-${width}.png` });

      // Back, or to the clinic app: only the sign-in page, no patient's data.
      await page.goBack();
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      expect(await page.content()).not.toContain(tabletPatient);
      await page.goto(`${server.url}/`);
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      expect(await page.content()).not.toContain(tabletPatient);
      await context.close();
    });
  }
  it('refuses a right-to-left paper form with a message, and prints it in English when asked', async () => {
    const context = await browser.newContext({
      viewport: { width: 1366, height: 900 },
      bypassCSP: true,
      acceptDownloads: true,
    });
    const page = await context.newPage();
    await signIn(page, server.url, EMAIL, PASSWORD);
    const registryId = await patientWithOpenSurvey(page, server.url, new Set());
    // The patient reads the right-to-left pseudo-locale.
    await page.getByRole('button', { name: 'Edit texts and calls' }).click();
    const contact = page.getByRole('form', { name: 'Texts and calls' });
    await contact.getByLabel('Language').fill('ar-XB');
    // The demo's fictional mobiles (Ofcom's drama range) fail the number check: no mobile, no texts.
    await contact.getByLabel('Mobile number').fill('');
    await contact.getByLabel('Not asked').check();
    await contact.getByRole('button', { name: 'Save texts and calls' }).click();
    const saved = page.getByRole('button', { name: 'Edit texts and calls' });
    const problem = contact.getByRole('alert');
    await saved.or(problem).first().waitFor();
    expect((await problem.count()) > 0 ? await problem.allTextContents() : []).toEqual([]);

    await page
      .getByRole('button', { name: /^Print paper form/ })
      .first()
      .click();
    await page
      .getByRole('alert')
      .filter({ hasText: /^Paper forms in Arabic.* cannot be printed yet/ })
      .waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/paper-rtl-refused.png` });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page
        .getByRole('button', { name: /^Print in English instead/ })
        .first()
        .click(),
    ]);
    const text = (await pdfPageTexts(await readFile((await download.path()) ?? ''))).join('\n');
    expect(text).toContain(`Patient number ${registryId}`);
    await page
      .getByRole('status')
      .filter({ hasText: /^Paper form / })
      .waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
    await context.close();
  });
});
