import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpAt } from '../src/app/access/two-factor-codes.ts';
import {
  accessibilityProblems,
  launchChromium,
  openFromMenu,
  type RunningServer,
  signIn,
  startStemTrack,
  stemtrack,
} from './harness.ts';

const ADMIN = 'head@harbour.test';
const ADMIN_PASSWORD = 'head of the harbour clinic';
const NURSE = 'new.nurse@harbour.test';
const NURSE_PASSWORD = 'tides turn twice daily';

const step = () => Math.floor(Date.now() / 30_000);

async function signedInAs(page: Page, name: string) {
  await page.getByText(name, { exact: false }).first().waitFor();
}

describe('people and access in a real browser', () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'stemtrack-e2e-'));
    stemtrack(
      [
        'create-user',
        '--email',
        ADMIN,
        '--name',
        'Head Admin',
        '--role',
        'admin',
        '--site',
        'Harbour',
        '--password-stdin',
      ],
      dataDir,
      `${ADMIN_PASSWORD}\n`,
    );
    server = await startStemTrack(['--no-demo'], dataDir);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('invite → set password → two-factor with TOTP → recovery code → deactivate', async () => {
    const admin = await (await browser.newContext()).newPage();
    admin.on('dialog', (d) => void d.accept());
    await signIn(admin, server.url, ADMIN, ADMIN_PASSWORD);
    await signedInAs(admin, 'Head Admin');
    await openFromMenu(admin, 'Users');
    await admin.getByText('E-mail is off at this registry').first().waitFor();
    await admin.getByLabel('Name').fill('New Nurse');
    await admin.getByLabel('Email').fill(NURSE);
    await admin.getByLabel('Role', { exact: true }).selectOption('clinician');
    await admin.getByRole('button', { name: 'Invite' }).click();
    const link = (await admin.getByTestId('invite-link').textContent()) ?? '';
    expect(link).toContain('/set-password#');

    const nurse = await (await browser.newContext()).newPage();
    await nurse.goto(link);
    await nurse.getByLabel('New password').fill(NURSE_PASSWORD);
    await nurse.getByRole('button', { name: 'Set password' }).click();
    await nurse.getByText('Your password is set').waitFor();

    await signIn(nurse, server.url, NURSE, NURSE_PASSWORD);
    await signedInAs(nurse, 'New Nurse');
    await nurse.getByRole('link', { name: 'Account' }).click();
    await nurse.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
    await nurse.getByAltText('QR code for your authenticator app').waitFor();
    const secret = (await nurse.getByTestId('totp-secret').textContent()) ?? '';
    const enrolledStep = step();
    await nurse.getByLabel('Code shown by the app').fill(totpAt(secret, new Date()));
    await nurse.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
    await nurse.getByTestId('recovery-codes').locator('code').first().waitFor();
    const codes = await nurse.getByTestId('recovery-codes').locator('code').allTextContents();
    expect(codes).toHaveLength(10);
    await nurse.getByRole('button', { name: 'Sign out', exact: true }).click();

    // A code works once: wait for the app's next code before signing in with it.
    await expect.poll(step, { timeout: 40_000, interval: 500 }).toBeGreaterThan(enrolledStep);
    await signIn(nurse, server.url, NURSE, NURSE_PASSWORD);
    await nurse.getByLabel('Code from your authenticator app').fill(totpAt(secret, new Date()));
    await nurse.getByRole('button', { name: 'Sign in', exact: true }).click();
    await signedInAs(nurse, 'New Nurse');
    await nurse.getByRole('button', { name: 'Sign out', exact: true }).click();

    await signIn(nurse, server.url, NURSE, NURSE_PASSWORD);
    await nurse.getByLabel('Code from your authenticator app').fill(codes[0] ?? '');
    await nurse.getByRole('button', { name: 'Sign in', exact: true }).click();
    await signedInAs(nurse, 'New Nurse');
    const signedInStep = step();

    await admin.reload();
    const row = admin.locator(`tr[data-email="${NURSE}"]`);
    await row.getByText('on', { exact: true }).waitFor();

    // New recovery codes: a wrong code is refused, a fresh one from the app makes ten new codes.
    await nurse.getByRole('link', { name: 'Account' }).click();
    await nurse.getByText('Recovery codes left: 9 of 10').waitFor();
    await nurse.getByText('Make new recovery codes', { exact: true }).first().click();
    const renew = nurse.getByRole('form', { name: 'Make new recovery codes' });
    await renew.getByLabel('Code shown by the app').fill('000000');
    await renew.getByRole('button', { name: 'Make new recovery codes' }).click();
    await renew.getByText('That code is not right, or was used already').waitFor();
    expect(await accessibilityProblems(nurse)).toEqual([]);
    await expect.poll(step, { timeout: 40_000, interval: 500 }).toBeGreaterThan(signedInStep);
    await renew.getByLabel('Code shown by the app').fill(totpAt(secret, new Date()));
    await renew.getByRole('button', { name: 'Make new recovery codes' }).click();
    await nurse.getByText('The earlier ones no longer work').waitFor();
    const newCodes = await nurse.getByTestId('recovery-codes').locator('code').allTextContents();
    expect(newCodes).toHaveLength(10);
    expect(newCodes.filter((c) => codes.includes(c))).toEqual([]);
    await nurse.getByText('Recovery codes left: 10 of 10').waitFor();
    await nurse.getByRole('button', { name: 'Sign out', exact: true }).click();
    await signIn(nurse, server.url, NURSE, NURSE_PASSWORD);
    await nurse.getByLabel('Code from your authenticator app').fill(codes[1] ?? '');
    await nurse.getByRole('button', { name: 'Sign in', exact: true }).click();
    await nurse.getByText('That code is not right').waitFor();
    await nurse.getByLabel('Code from your authenticator app').fill(newCodes[0] ?? '');
    await nurse.getByRole('button', { name: 'Sign in', exact: true }).click();
    await signedInAs(nurse, 'New Nurse');

    // Turning two-factor sign-in off needs the password and a code.
    await nurse.getByRole('link', { name: 'Account' }).click();
    await nurse.getByText('Turn off two-factor sign-in', { exact: true }).first().click();
    const off = nurse.getByRole('form', { name: 'Turn off two-factor sign-in' });
    await off.getByLabel('Current password').fill('not my password');
    await off.getByLabel('Code shown by the app, or a recovery code').fill(newCodes[1] ?? '');
    await off.getByRole('button', { name: 'Turn off two-factor sign-in' }).click();
    await off.getByText('Your current password is not right').waitFor();
    expect(await accessibilityProblems(nurse)).toEqual([]);
    await off.getByLabel('Current password').fill(NURSE_PASSWORD);
    await off.getByRole('button', { name: 'Turn off two-factor sign-in' }).click();
    await nurse.getByText('Two-factor sign-in is off').waitFor();
    await nurse.getByRole('button', { name: 'Set up two-factor sign-in' }).waitFor();
    await admin.reload();
    await row.getByText('off', { exact: true }).waitFor();
    await row.getByRole('button', { name: 'Deactivate' }).click();
    await row.getByText('deactivated').waitFor();

    // The nurse's session ended at once: the next page load asks to sign in.
    await nurse.reload();
    await nurse.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    await signIn(nurse, server.url, NURSE, NURSE_PASSWORD);
    await nurse.getByText('Email or password is not right').waitFor();
  }, 180_000);
});
