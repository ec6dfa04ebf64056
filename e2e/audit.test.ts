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

const ADMIN = 'audit-admin@harbour.test';
const PASSWORD = 'audit-password-1';

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

describe('the audit log page', () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'stemtrack-e2e-audit-'));
    const created = stemtrack(
      [
        'create-user',
        '--email',
        ADMIN,
        '--name',
        'Audit Admin',
        '--role',
        'admin',
        '--site',
        'Harbour',
        '--password-stdin',
      ],
      dataDir,
      `${PASSWORD}\n`,
    );
    expect(created).toContain(`Created admin ${ADMIN} at Harbour`);
    server = await startStemTrack(['--no-demo'], dataDir);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('an admin on a phone reads, filters and checks the log; the reads are themselves logged', async () => {
    const page = await (
      await browser.newContext({ viewport: { width: 360, height: 740 } })
    ).newPage();
    await signIn(page, server.url, ADMIN, PASSWORD);
    await openFromMenu(page, 'Audit log');
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    // Opening the page is itself a row of the log (seen when the page is shown again).
    await page.getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => page.getByText(/^Read the audit log/).count()).toBeGreaterThan(0);
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
    ).toBe(true);
    expect(await accessibilityProblems(page)).toEqual([]);

    await page.getByLabel('Action').selectOption('read');
    await page.getByLabel('User (e-mail)').fill('audit-admin');
    await page.getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => page.getByText(/ rows; page 1 of 1\./).count()).toBe(1);
    expect(await page.getByText(/^Recorded a user/).count()).toBe(0);

    await page.getByRole('button', { name: 'Check the log for changes' }).click();
    await page.getByText(/^The log is whole: \d+ rows in \d+ chains/).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);

    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download these rows (CSV)' }).click();
    const file = await (await download).path();
    const csv = readFileSync(file, 'utf8');
    expect(csv.split('\n')[0]).toBe(
      'id,at,actorKind,actorEmail,action,entity,entityId,registryId,detail',
    );
    expect(csv).toContain(`${ADMIN},read,audit_log`);
  });
});
