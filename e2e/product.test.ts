import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchChromium,
  openFromMenu,
  type RunningServer,
  signIn,
  startStemTrack,
  stemtrack,
} from './harness.ts';

const EMAIL = 'prp-nurse@harbour.test';
const PASSWORD = 'product-password-1';
/** Where screenshots go when asked for (STEMTRACK_SCREENSHOTS=/tmp/…); never the worktree. */
const SHOTS = process.env.STEMTRACK_SCREENSHOTS;

const AXE_SOURCE = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

/** axe-core's WCAG 2 A/AA violations on the page as it is now, as "rule: target" lines. */
async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    interface AxeResult {
      violations: { id: string; nodes: { target: string[] }[] }[];
    }
    const axe = (window as unknown as { axe: { run: (...a: unknown[]) => Promise<AxeResult> } })
      .axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
  });
}

describe('recording a PRP with its characterisation in a real browser', () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'stemtrack-e2e-product-'));
    stemtrack(
      [
        'create-user',
        '--email',
        EMAIL,
        '--name',
        'Nurse Platelet',
        '--role',
        'clinician',
        '--site',
        'Harbour',
        '--password-stdin',
      ],
      dataDir,
      `${PASSWORD}\n`,
    );
    server = await startStemTrack(['--no-demo'], dataDir);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  for (const width of [360, 1366]) {
    it(`records counts, is refused a count below whole blood's, confirms an unusual one, at ${width} px`, async () => {
      const page = await (await browser.newContext({ viewport: { width, height: 900 } })).newPage();
      await signIn(page, server.url, EMAIL, PASSWORD);
      await page.getByRole('link', { name: 'Enrol patient' }).click();
      await page.getByLabel('Given name').fill('Petra');
      await page.getByLabel('Family name').fill(`Platelet${width}`);
      await page.getByLabel('Date of birth').fill('1958-09-12');
      await page.getByLabel('Sex').selectOption('female');
      await page.getByLabel(/has given written consent/).check();
      await page.getByRole('button', { name: 'Enrol patient' }).click();
      await page.getByRole('heading', { name: new RegExp(`Petra Platelet${width}`) }).waitFor();
      await page.getByLabel('Side').selectOption('right');
      await page.getByLabel('Kellgren–Lawrence grade').selectOption('2');
      await page.getByRole('button', { name: 'Save joint' }).click();
      await page.getByRole('heading', { name: 'Right knee · KL grade 2' }).waitFor();

      await page.getByText('Record an injection').click();
      const form = page.getByRole('form', { name: 'Record an injection' });
      await form.getByLabel('Product', { exact: true }).selectOption('PRP');
      // The PRP fields appear once PRP is chosen; a cell dose is not offered for PRP.
      const composition = form.getByRole('group', { name: 'PRP composition and preparation' });
      await composition.waitFor();
      expect(await form.getByLabel('Cells injected (million)').count()).toBe(0);
      await form.getByLabel('Volume (mL)').fill('4');
      await composition.getByLabel('Whole-blood platelets (×10³/µL)').fill('250');
      await composition.getByLabel('Product platelets (×10³/µL)').fill('200');
      await composition.getByLabel('Whole-blood leukocytes (×10³/µL)').fill('6.5');
      await composition.getByLabel('Whole-blood neutrophils (%)').fill('58');
      await composition.getByLabel('Product leukocytes (×10³/µL)').fill('0.9');
      await composition.getByLabel('Product neutrophils (%)').fill('0.5');
      await composition.getByLabel('Product red cells (haematocrit) (%)').fill('0.5');
      await composition.getByLabel('Activation').selectOption('none');
      await composition.getByLabel('Anticoagulant').fill('ACD-A');
      await composition.getByLabel('Blood drawn (mL)').fill('15');
      await composition.getByLabel('Spin protocol').fill('1 spin, 1500 rpm, 5 min');
      await composition.getByLabel('PRP device or kit').fill('Kit A');
      const injection = form.getByRole('group', { name: 'This injection' });
      await injection.getByLabel('Injection number in the series').fill('1');
      await injection.getByLabel('Post-injection protocol').fill('Relative rest 48 h');
      if (SHOTS)
        await page.screenshot({ path: `${SHOTS}/treatment-form-${width}.png`, fullPage: true });
      expect(await accessibilityProblems(page)).toEqual([]);

      // A "concentrate" below whole blood is refused, naming the field; nothing is saved.
      await form.getByRole('button', { name: 'Save injection' }).click();
      await form.getByText(/Please correct: Product platelets/).waitFor();
      await form
        .getByText(/below whole blood/)
        .first()
        .waitFor();
      expect(await page.getByText('None recorded.').count()).toBeGreaterThan(0);

      // An unusual count needs the confirmation box.
      await composition.getByLabel('Product platelets (×10³/µL)').fill('5200');
      await form.getByRole('button', { name: 'Save injection' }).click();
      const confirm = form.getByLabel(/I have checked the unusual values/);
      await confirm.waitFor();
      if (SHOTS)
        await page.screenshot({ path: `${SHOTS}/treatment-confirm-${width}.png`, fullPage: true });
      expect(await accessibilityProblems(page)).toEqual([]);
      await confirm.check();
      await form.getByRole('button', { name: 'Save injection' }).click();
      // Saved: the platelet dose (5200 × 4 / 1000 = 20.8 ×10⁹) and the classifications are shown.
      await page.getByText(/Platelet dose 20\.8 ×10⁹/).waitFor();
      await page.getByText(/PAW P4Bβ/).waitFor();
      await page.getByText(/PLRA P 5,200,000\/µL, L−, R−, A−/).waitFor();
      await page
        .getByText(/Cut-offs read in secondary sources/)
        .first()
        .waitFor();
      expect(
        await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
      ).toBe(true);
      if (SHOTS)
        await page.screenshot({ path: `${SHOTS}/treatment-saved-${width}.png`, fullPage: true });

      // The confirmed value is an open query on the Data quality page until it is verified.
      await openFromMenu(page, 'Data quality');
      await page.getByRole('heading', { name: 'Data quality', level: 1 }).waitFor();
      const query = page.getByRole('button', {
        name: /Verify: value is right \(Product platelets,/,
      });
      await query.first().waitFor();
      if (SHOTS)
        await page.screenshot({ path: `${SHOTS}/data-quality-${width}.png`, fullPage: true });
      expect(await accessibilityProblems(page)).toEqual([]);
      const before = await query.count();
      await query.first().click();
      await page.getByText(/Verified: .*Product platelets/).waitFor();
      await expect.poll(() => query.count()).toBe(before - 1);
    });
  }
});
