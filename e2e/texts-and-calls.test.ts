import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchChromium,
  openFromMenu,
  pageOverflows,
  type RunningServer,
  seriousViolations,
  signIn,
  startStemTrack,
} from './harness.ts';

// The demo registry: its simulated outreach leaves open surveys on the call list.
const EMAIL = 'clinician@harbour.example';
const PASSWORD = 'stemtrack-demo';
/** Screenshots for a person to look at; never committed. */
const SHOTS = process.env.STEMTRACK_SHOTS;

describe('texts and calls in a real browser', () => {
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
    it(`records a mobile, consent to texts, time zone and language when enrolling at ${width} px`, async () => {
      const page = await (
        await browser.newContext({ viewport: { width, height: 900 }, bypassCSP: true })
      ).newPage();
      await signIn(page, server.url, EMAIL, PASSWORD);
      await page.getByRole('link', { name: 'Enrol patient' }).click();
      await page.getByRole('heading', { level: 1, name: 'Enrol a patient' }).waitFor();
      await page.getByLabel('Given name').fill('Ines');
      await page.getByLabel('Family name').fill(`Enrolled${width}`);
      await page.getByLabel('Date of birth').fill('1958-07-14');
      await page.getByLabel('Sex').selectOption('female');
      await page.getByLabel('Language', { exact: true }).fill('pt-br');
      // A landline first: the mobile's own error, named in the summary, and nothing enrolled.
      await page.getByLabel('Mobile number').fill('+44 20 7946 0000');
      await page.getByLabel('Agreed to texts').check();
      await page.getByLabel('Time zone').fill('Europe/Lisbon');
      await page.getByLabel(/has given written consent/).check();
      await page.getByRole('button', { name: 'Enrol patient' }).click();
      await page
        .getByText('This is not a mobile number, so it cannot receive text messages')
        .waitFor();
      await page
        .getByRole('alert')
        .getByText(/Mobile number/)
        .waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      expect(await pageOverflows(page)).toBe(false);
      if (SHOTS)
        await page.screenshot({ path: `${SHOTS}/enrol-texts-${width}.png`, fullPage: true });

      await page.getByLabel('Mobile number').fill('07400 123456');
      await page.getByLabel('Country of a number without +').fill('GB');
      await page.getByRole('button', { name: 'Enrol patient' }).click();
      await page.getByRole('heading', { name: new RegExp(`Ines Enrolled${width}`) }).waitFor();
      const card = page.getByRole('region', { name: 'Texts and calls' });
      await card.getByText('+447400123456').waitFor();
      await card.getByText(/Agreed to texts \(recorded by the clinic/).waitFor();
      await card.getByText('Europe/Lisbon').waitFor();
      await card.getByText('pt-BR').waitFor();
      await page.context().close();
    });

    it(`adds a mobile with consent to texts and logs a call from the call list at ${width} px`, async () => {
      const page = await (
        await browser.newContext({ viewport: { width, height: 900 }, bypassCSP: true })
      ).newPage();
      await signIn(page, server.url, EMAIL, PASSWORD);
      await openFromMenu(page, 'Call list');
      await page.getByRole('heading', { level: 1, name: 'Call list' }).waitFor();
      const logForms = page.getByRole('form', { name: /^Log a call to / });
      await logForms.first().waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      expect(await pageOverflows(page)).toBe(false);
      if (SHOTS)
        await page.screenshot({ path: `${SHOTS}/call-list-${width}.png`, fullPage: false });

      // Log a voicemail on the first survey: its row says so, with the count of calls.
      const form = logForms.first();
      const who = ((await form.getAttribute('aria-label')) ?? '').replace('Log a call to ', '');
      await form.getByLabel(`Outcome of the call to ${who}`).selectOption('voicemail');
      await form.getByLabel(`Note on the call to ${who}`).fill('Left a message');
      await form.getByRole('button', { name: 'Log call' }).click();
      const row = page
        .getByRole('row')
        .filter({ has: page.getByRole('link', { name: who, exact: true }) });
      await row
        .getByText(/\(last: Voicemail\)/)
        .first()
        .waitFor();

      // Answer with the patient on the phone: a link to the patient's survey appears.
      await row.first().getByRole('button', { name: 'Answer survey with patient' }).click();
      const link = row.first().getByRole('link', { name: `Open the survey for ${who}` });
      await link.waitFor();
      const survey = await page.context().newPage();
      await survey.goto((await link.getAttribute('href')) ?? '');
      await survey.getByRole('heading', { level: 1 }).first().waitFor();
      await survey.close();

      // The patient's page: a landline is refused by name, a mobile is stored as E.164.
      await row.first().getByRole('link', { name: who, exact: true }).click();
      const card = page.getByRole('region', { name: 'Texts and calls' });
      await card.getByRole('button', { name: 'Edit texts and calls' }).click();
      const contact = page.getByRole('form', { name: 'Texts and calls' });
      await contact.getByLabel('Mobile number').fill('+44 20 7946 0000');
      await contact.getByLabel('Agreed to texts').check();
      await contact.getByLabel('Time zone').fill('Europe/London');
      await contact.getByRole('button', { name: 'Save texts and calls' }).click();
      await contact
        .getByText('This is not a mobile number, so it cannot receive text messages')
        .waitFor();
      await contact
        .getByRole('alert')
        .getByText(/Mobile number/)
        .waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      if (SHOTS) await page.screenshot({ path: `${SHOTS}/contact-error-${width}.png` });
      await contact.getByLabel('Mobile number').fill('07400 123456');
      await contact.getByLabel('Country of a number without +').fill('GB');
      await contact.getByLabel('Best time to call').fill('After 17:00');
      await contact.getByRole('button', { name: 'Save texts and calls' }).click();
      await card.getByText('+447400123456').waitFor();
      await card.getByText(/Agreed to texts \(recorded by the clinic/).waitFor();
      await card.getByText('After 17:00').waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      expect(await pageOverflows(page)).toBe(false);
      if (SHOTS) {
        await card.scrollIntoViewIfNeeded();
        await page.screenshot({ path: `${SHOTS}/contact-${width}.png` });
      }

      // The Follow-up page splits completeness by mode and shows response after each message.
      await openFromMenu(page, 'Follow-up');
      const outreach = page.getByRole('region', { name: 'How patients answered' });
      await outreach.getByRole('columnheader', { name: 'Phone interview' }).waitFor();
      await outreach.getByRole('cell', { name: 'Reminder 1' }).waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      expect(await pageOverflows(page)).toBe(false);
      if (SHOTS) {
        await outreach.scrollIntoViewIfNeeded();
        await page.screenshot({ path: `${SHOTS}/follow-up-outreach-${width}.png` });
      }
      await page.context().close();
    });
  }
});
