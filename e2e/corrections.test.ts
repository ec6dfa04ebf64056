import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accessibilityProblems,
  launchChromium,
  type RunningServer,
  signIn,
  startStemTrack,
  stemtrack,
} from './harness.ts';

const EMAIL = 'corrector@harbour.test';
const PASSWORD = 'corrections-password-1';

describe('corrections and erasure in a real browser', () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'stemtrack-e2e-'));
    stemtrack(
      [
        'create-user',
        '--email',
        EMAIL,
        '--name',
        'Nurse Corrector',
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

  it("corrects a KL grade and a questionnaire's answers with reasons, shows them in the history, then withdraws and erases the patient", async () => {
    // A phone-sized screen: the forms and the history must read at 360 px.
    const clinic = await (
      await browser.newContext({ viewport: { width: 360, height: 800 } })
    ).newPage();
    await signIn(clinic, server.url, EMAIL, PASSWORD);
    await clinic.getByRole('link', { name: 'Enrol patient' }).click();
    await clinic.getByLabel('Given name').fill('Cora');
    await clinic.getByLabel('Family name').fill('Rection');
    await clinic.getByLabel('Date of birth').fill('1960-04-02');
    await clinic.getByLabel('Sex').selectOption('female');
    await clinic.getByLabel(/has given written consent/).check();
    await clinic.getByRole('button', { name: 'Enrol patient' }).click();
    await clinic.getByRole('heading', { name: /Cora Rection/ }).waitFor();
    await clinic.getByLabel('Side').selectOption('left');
    await clinic.getByLabel('Kellgren–Lawrence grade').selectOption('3');
    await clinic.getByRole('button', { name: 'Save joint' }).click();
    await clinic.getByRole('heading', { name: 'Left knee · KL grade 3' }).waitFor();

    // Correct: a reason is required; the server names the field.
    await clinic.getByRole('button', { name: 'Correct', exact: true }).first().click();
    const form = clinic.getByRole('form', { name: 'Correct', exact: true });
    await form.getByLabel('Kellgren–Lawrence grade').selectOption('2');
    await form.getByRole('button', { name: 'Save correction' }).click();
    // The form's summary and the field both say it.
    await form.getByText('Give the reason for this change').first().waitFor();
    await form.getByLabel('Reason (required)').fill('Radiology report re-read');
    await form.getByRole('button', { name: 'Save correction' }).click();
    await clinic.getByRole('heading', { name: 'Left knee · KL grade 2' }).waitFor();
    const history = clinic.getByRole('region', { name: 'History' });
    await history.getByText('Reason: Radiology report re-read').waitFor();
    await history.getByText('Kellgren–Lawrence grade: 3 → 2').waitFor();
    expect(await history.getByText(/klGrade/).count()).toBe(0);

    // The patient's own details, corrected the same way.
    await clinic.getByRole('button', { name: 'Correct patient details' }).click();
    const details = clinic.getByRole('form', { name: 'Correct patient details' });
    await details.getByLabel('Family name').fill('Correction');
    await details.getByLabel('Reason (required)').fill('Spelling on the ID card');
    await details.getByRole('button', { name: 'Save correction' }).click();
    await clinic.getByRole('heading', { name: /Cora Correction/ }).waitFor();
    await history.getByText('Reason: Spelling on the ID card').waitFor();
    expect(
      await clinic.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
    ).toBe(true);

    // An answered questionnaire, corrected answer by answer in the patient's words.
    await clinic.getByText('Record an injection', { exact: true }).click();
    const injection = clinic.getByRole('form', { name: 'Record an injection' });
    await injection.getByLabel('Product').selectOption({ index: 1 });
    await injection.getByLabel('Volume (mL)').fill('4');
    await injection.getByRole('button', { name: 'Save injection' }).click();
    await clinic.getByRole('button', { name: 'Issue survey link' }).click();
    const url = await clinic
      .getByLabel('Survey link (give it to the patient; it works once)')
      .inputValue();
    const pain = { P1: 2, P2: 2, P3: 2, P4: 2, P5: 2, P6: 2, P7: 2, P8: 2, P9: 2 };
    const submitted = await fetch(`${server.url}/api/survey/${url.split('/s/')[1]}/submit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answers: { koos: pain, 'nrs-pain': { NRS: 6 } } }),
    });
    expect(submitted.status).toBe(201);
    await clinic.reload();
    const koosRow = clinic.locator('table.scores tbody tr', { hasText: 'KOOS' });
    await koosRow.getByText('Pain 50.0').waitFor();
    await koosRow.getByRole('button', { name: 'Correct answers' }).click();
    const answers = clinic.getByRole('form', { name: 'Correct answers: KOOS · Baseline' });
    const often = answers.getByLabel('How often do you experience knee pain?');
    expect(await often.inputValue()).toBe('2');
    await answers.getByText('On record: Weekly').first().waitFor();
    // Questions and answers in words: no item code anywhere in the form.
    expect(await answers.textContent()).not.toMatch(/(?<![A-Za-z])(P1|P9|S1|A17|SP1|Q4)(?!\d)/);
    await often.selectOption({ label: 'Never' });
    await answers.getByRole('button', { name: 'Save corrected answers' }).click();
    // A reason is required: the summary and the field both say it.
    await expect.poll(() => answers.getByText('Give the reason for this change').count()).toBe(2);
    expect(await accessibilityProblems(clinic)).toEqual([]);
    expect(
      await clinic.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
    ).toBe(true);
    await answers.getByLabel('Reason (required)').fill('Patient meant never; said so at the visit');
    await answers.getByRole('button', { name: 'Save corrected answers' }).click();
    const rescored = clinic.getByRole('region', { name: 'Corrected answers: KOOS · Baseline' });
    await rescored.getByText('1 answer corrected').waitFor();
    await rescored.getByText('Pain: 55.6').waitFor();
    await rescored.getByText('(was 50.0)').first().waitFor();
    await koosRow.getByText('Pain 55.6').waitFor();
    await history.getByText('Reason: Patient meant never; said so at the visit').waitFor();
    await history.getByText('How often do you experience knee pain? Weekly → Never').waitFor();
    await history.getByText('KOOS Pain: 50.0 → 55.6').waitFor();
    expect(await history.getByText(/"pain"|answers\.P1/).count()).toBe(0);
    expect(await accessibilityProblems(clinic)).toEqual([]);
    await rescored.getByRole('button', { name: 'Close' }).click();

    // Withdraw consent and erase: the registry id must be typed again.
    const registryId = (await clinic.locator('h1 .muted').textContent())?.trim() ?? '';
    expect(registryId).not.toBe('');
    await clinic.getByRole('button', { name: 'Withdraw consent' }).click();
    const withdraw = clinic.getByRole('form', { name: 'Withdraw consent' });
    await withdraw.getByLabel(/Erase the patient/).check();
    await withdraw.getByLabel('Reason (required)').fill('Patient asked to be erased');
    await withdraw.getByLabel(`Type ${registryId} to confirm the erasure`).fill('wrong');
    await withdraw.getByRole('button', { name: 'Erase patient' }).click();
    await withdraw.getByText(/to confirm; an erasure cannot be undone/).waitFor();
    await withdraw.getByLabel(`Type ${registryId} to confirm the erasure`).fill(registryId);
    await withdraw.getByRole('button', { name: 'Erase patient' }).click();
    await expect.poll(() => clinic.getByText('0 patients at Harbour').count()).toBe(1);
  });
});
