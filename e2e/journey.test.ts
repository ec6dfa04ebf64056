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

const EMAIL = 'nurse@harbour.test';
const PASSWORD = 'journey-password-1';

async function noHorizontalScroll(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}

const AXE_SOURCE = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

/** axe-core's WCAG 2 A/AA violations on the page as it is now, as "rule: target" lines. */
async function accessibilityProblems(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, which the page's CSP (scripts from 'self') allows.
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (...a: unknown[]) => Promise<AxeResult> } })
      .axe;
    interface AxeResult {
      violations: { id: string; nodes: { target: string[] }[] }[];
    }
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
  });
}

/**
 * Waits until question `q` is on screen and its heading has focus: focusing it may scroll the
 * page, and a click aimed before that scroll would land beside its target.
 */
async function atQuestion(page: Page, q: number): Promise<void> {
  await page.getByText(`${q} / 43`, { exact: true }).waitFor();
  await expect
    .poll(() => page.evaluate(() => document.activeElement?.classList.contains('section-title')))
    .toBe(true);
}

/** The tops of the numeric scale's points, and their narrowest width, in CSS pixels. */
async function scaleRow(page: Page): Promise<{ tops: number[]; narrowest: number }> {
  const boxes = await page
    .locator('.scale-point')
    .evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON() as DOMRect));
  return {
    tops: boxes.map((b) => Math.round(b.top)),
    narrowest: Math.min(...boxes.map((b) => b.width)),
  };
}

describe('the first slice in a real browser', () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'stemtrack-e2e-'));
    const created = stemtrack(
      [
        'create-user',
        '--email',
        EMAIL,
        '--name',
        'Nurse Journey',
        '--role',
        'clinician',
        '--site',
        'Harbour',
        '--password-stdin',
      ],
      dataDir,
      `${PASSWORD}\n`,
    );
    expect(created).toContain('Created clinician nurse@harbour.test at Harbour');
    server = await startStemTrack(['--no-demo'], dataDir);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('clinician enrols and treats; the patient answers on a phone, leaves, comes back, submits; the clinician sees scores', async () => {
    const clinic = await (
      await browser.newContext({ viewport: { width: 1280, height: 900 } })
    ).newPage();
    await signIn(clinic, server.url, EMAIL, PASSWORD);
    await expect.poll(() => clinic.getByText('0 patients at Harbour').count()).toBe(1);

    // Enrol, with one mistake first: the form says what is wrong and nothing is saved.
    await clinic.getByRole('link', { name: 'Enrol patient' }).click();
    await clinic.getByLabel('Given name').fill('Rosa');
    await clinic.getByLabel('Family name').fill('Journey');
    await clinic.getByLabel('Date of birth').fill('1958-07-14');
    await clinic.getByLabel('Sex').selectOption('female');
    await clinic.getByLabel('Email (for survey invitations)').fill('rosa@example.org');
    await clinic.getByRole('button', { name: 'Enrol patient' }).click();
    await expect
      .poll(() => clinic.getByText('Enrolment needs the patient’s recorded consent').count())
      .toBe(1);
    await clinic.getByLabel(/has given written consent/).check();
    await clinic.getByRole('button', { name: 'Enrol patient' }).click();
    await clinic.getByRole('heading', { name: /Rosa Journey/ }).waitFor();

    // The knee and the injection.
    await clinic.getByLabel('Side').selectOption('right');
    await clinic.getByLabel('Kellgren–Lawrence grade').selectOption('3');
    await clinic.getByRole('button', { name: 'Save joint' }).click();
    await clinic.getByRole('heading', { name: 'Right knee · KL grade 3' }).waitFor();
    await clinic.getByText('Record an injection').click();
    await clinic.getByLabel('Product').selectOption('BMAC');
    await clinic.getByLabel('Volume (mL)').fill('8');
    await clinic.getByRole('button', { name: 'Save injection' }).click();
    await clinic.getByText(/Bone-marrow aspirate concentrate, 8 mL, ultrasound-guided/).waitFor();

    // An adverse event after it; its free text shows as text, never as markup.
    await clinic.getByText('Record an adverse event').click();
    await clinic.getByLabel('What happened').fill('Swelling <img src=x onerror="window.__xss=1">');
    await clinic.getByLabel('Grade (CTCAE v5.0)').selectOption('2');
    await clinic.getByRole('button', { name: 'Save adverse event' }).click();
    await clinic.getByText(/Swelling <img src=x/).waitFor();
    expect(await clinic.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();

    // The survey link.
    await clinic.getByLabel('Survey time point').selectOption('baseline');
    await clinic.getByRole('button', { name: 'Issue survey link' }).click();
    const linkBox = clinic.getByLabel(/Survey link/);
    await linkBox.waitFor();
    const link = await linkBox.inputValue();
    expect(link).toMatch(/\/s\/[A-Za-z0-9_-]{43}$/);

    // The patient, on a phone, with no account.
    const phone = await browser.newContext({
      viewport: { width: 360, height: 740 },
      isMobile: true,
      hasTouch: true,
    });
    let survey = await phone.newPage();
    await survey.goto(link);
    await survey.getByRole('heading', { name: 'Your baseline check-in' }).waitFor();
    await survey.getByText(/43 short questions about your right knee/).waitFor();
    expect(await noHorizontalScroll(survey)).toBe(true);
    await survey.getByRole('button', { name: 'Start' }).click();

    // Question 1 (NRS): the patient's heading, and 0 to 10 on one row of a 360 px screen.
    await atQuestion(survey, 1);
    await survey.getByRole('heading', { name: 'Pain in your right knee' }).waitFor();
    const nrs = survey.getByRole('radiogroup', { name: /how much pain have you had/ });
    expect(await nrs.getByRole('radio').count()).toBe(11);
    await nrs.getByRole('radio', { name: '0 – No pain' }).waitFor();
    await nrs.getByRole('radio', { name: '10 – Worst pain imaginable' }).waitFor();
    const row = await scaleRow(survey);
    expect(row.tops).toHaveLength(11);
    expect(new Set(row.tops).size).toBe(1);
    expect(row.narrowest).toBeGreaterThanOrEqual(24);
    await survey.getByText('No pain', { exact: true }).waitFor();
    await survey.getByText('Worst pain imaginable', { exact: true }).waitFor();
    // Unanswered: Next waits for an answer; skipping is its own, quieter button.
    expect(await survey.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
    await survey.getByRole('button', { name: 'Skip this question' }).waitFor();
    expect(await accessibilityProblems(survey)).toEqual([]);

    // By keyboard alone: Tab to the first option, arrow to 6, Enter on Next.
    await survey.keyboard.press('Tab');
    for (let i = 0; i < 6; i++) await survey.keyboard.press('ArrowRight');
    expect(await survey.getByRole('radio', { name: '6', exact: true }).isChecked()).toBe(true);
    expect(await noHorizontalScroll(survey)).toBe(true);
    expect(await survey.getByRole('button', { name: 'Skip this question' }).count()).toBe(0);
    await survey.getByRole('button', { name: 'Next' }).focus();
    await survey.keyboard.press('Enter');

    // Ten KOOS items answered "second option" (value 1), then the patient leaves.
    for (let q = 2; q <= 11; q++) {
      await atQuestion(survey, q);
      if (q === 2) {
        await survey.getByRole('heading', { name: 'Symptoms in your right knee' }).waitFor();
        expect(await survey.getByText(/KOOS/).count()).toBe(0);
        expect(await accessibilityProblems(survey)).toEqual([]);
      }
      await survey.locator('.option').nth(1).click();
      expect(await noHorizontalScroll(survey)).toBe(true);
      await survey.getByRole('button', { name: 'Next' }).click();
    }
    await survey.getByText('Saved').waitFor();
    await survey.close();

    // Back later with the same link: answers kept, and it resumes where they stopped.
    survey = await phone.newPage();
    await survey.goto(link);
    await survey.getByText('You have answered 11 of 43 so far.').waitFor();
    await survey.getByRole('button', { name: 'Continue' }).click();
    await atQuestion(survey, 12);
    await survey.getByRole('button', { name: 'Back' }).click();
    await atQuestion(survey, 11);
    expect(await survey.locator('.option').nth(1).locator('input').isChecked()).toBe(true);
    await survey.getByRole('button', { name: 'Next' }).click();
    for (let q = 12; q <= 43; q++) {
      await atQuestion(survey, q);
      await survey.locator('.option').nth(1).click();
      await survey.getByRole('button', { name: q === 43 ? 'Review answers' : 'Next' }).click();
    }
    await survey.getByText('You answered 43 of 43 questions.').waitFor();
    // Baseline is before the treatment: the review asks nothing "since your treatment".
    expect(await survey.getByText(/since your treatment/i).count()).toBe(0);
    expect(await survey.getByText('Back to my usual activities').count()).toBe(0);
    expect(await noHorizontalScroll(survey)).toBe(true);
    expect(await accessibilityProblems(survey)).toEqual([]);
    await survey.getByRole('button', { name: 'Send my answers' }).click();
    await survey.getByRole('heading', { name: 'Thank you' }).waitFor();

    // The link works once.
    await survey.reload();
    await survey.getByRole('heading', { name: 'This link is closed' }).waitFor();

    // The clinician sees the scores: every KOOS item 1 → 100 − 25 = 75 on each subscale; NRS 6.
    await clinic.reload();
    const scores = clinic.locator('table.scores');
    await scores.waitFor();
    const text = (await scores.textContent()) ?? '';
    expect(text).toContain('NRS pain');
    expect(text).toContain('Pain 6.0');
    for (const scale of ['Pain', 'Symptoms', 'ADL', 'Sport/Rec', 'QOL'])
      expect(text).toContain(`${scale} 75.0`);
    await clinic.getByText(/Baseline \(NRS pain \+ KOOS\): completed/).waitFor();

    // Six weeks on: after sending, the patient sees their own line against where they started.
    // KOOS JR is added: its items are all KOOS items, so the patient gets no extra question.
    await clinic.getByLabel('Survey time point').selectOption('w6');
    // Issued on the day of treatment, weeks before its window: the page asks to confirm.
    await clinic.getByLabel('Issue it outside its window anyway').check();
    await clinic
      .getByLabel(/KOOS JR — .*\(no extra questions: scored from the KOOS answers\)/)
      .check();
    await clinic.getByRole('button', { name: 'Issue survey link' }).click();
    await expect.poll(() => clinic.getByLabel(/Survey link/).inputValue()).not.toBe(link);
    survey = await phone.newPage();
    await survey.goto(await clinic.getByLabel(/Survey link/).inputValue());
    await survey.getByRole('button', { name: 'Start' }).click();
    await survey.getByRole('radio', { name: '0 – No pain' }).click();
    await survey.getByRole('button', { name: 'Next' }).click();
    for (let q = 2; q <= 42; q++) {
      await atQuestion(survey, q);
      await survey.locator('.option').nth(0).click();
      await survey.getByRole('button', { name: 'Next' }).click();
    }
    // The last question is skipped: the review names it, and Back returns to it.
    await atQuestion(survey, 43);
    expect(await survey.getByRole('button', { name: 'Review answers' }).isDisabled()).toBe(true);
    await survey.getByRole('button', { name: 'Skip this question' }).click();
    await survey.getByText('You answered 42 of 43 questions.').waitFor();
    expect(await survey.locator('.missing li').count()).toBe(1);
    // Six weeks after treatment, a later event is asked about and reported with the answers.
    await survey.getByText('Since your treatment, has any of this happened? (optional)').waitFor();
    await survey.getByLabel('Back to my usual activities').check();
    const today = new Date().toISOString().slice(0, 10);
    await survey.getByLabel('When?').fill(today);
    await survey.getByRole('button', { name: 'Send my answers' }).click();
    const own = survey.getByRole('figure', { name: 'Your pain rating over time' });
    await own.locator('svg').waitFor();
    expect(await own.locator('circle').count()).toBe(2);
    await survey.getByText('6 weeks: 0, against 6 when you started.').waitFor();
    // A plain title; whole months on the axis; no words drawn over the lines; text ≥ 12 px.
    const painChart = survey.getByRole('region', { name: 'Pain rating' });
    await painChart.getByText('Scored 0 to 10: lower is better.').waitFor();
    const chartText = await own.locator('svg text').evaluateAll((els) =>
      els.map((e) => ({
        text: e.textContent ?? '',
        axis: e.closest('g[aria-label*="axis"]') !== null,
        px: Number.parseFloat(getComputedStyle(e).fontSize),
      })),
    );
    const monthLabels = chartText.filter((t) => /^\d/.test(t.text) && t.axis).map((t) => t.text);
    expect(monthLabels.length).toBeGreaterThan(0);
    for (const label of monthLabels) expect(label).toMatch(/^\d+$/);
    expect(chartText.filter((t) => !t.axis)).toEqual([]);
    for (const t of chartText) expect(t.px).toBeGreaterThanOrEqual(12);
    // The MCID line (NRS: 2 points below the baseline of 6) is drawn and named in the key.
    await painChart.getByText('Smallest important improvement').waitFor();
    await painChart.getByText('Where you started').waitFor();
    await survey
      .getByText(/smallest improvement from your start that patients called important/)
      .waitFor();
    expect(await noHorizontalScroll(survey)).toBe(true);
    expect(await accessibilityProblems(survey)).toEqual([]);

    // The clinician sees KOOS JR scored from those KOOS answers (all 0 → raw 0 → 100).
    await clinic.reload();
    await clinic.getByText(/6 weeks \(NRS pain \+ KOOS \+ KOOS JR\): completed/).waitFor();
    expect(await clinic.locator('table.scores').textContent()).toContain('KOOS JR 100.0');
    await clinic.getByRole('heading', { name: 'Reported events' }).waitFor();
    await clinic.getByText(/Back to my usual activities \(reported by the patient\)/).waitFor();
  });

  it('serves the login page without horizontal scrolling at 360 px', async () => {
    const page = await (
      await browser.newContext({ viewport: { width: 360, height: 740 } })
    ).newPage();
    await page.goto(server.url);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await noHorizontalScroll(page)).toBe(true);
  });

  it('lists the questionnaires with their rules, codes and sources, on a phone', async () => {
    const phone = await (
      await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true })
    ).newPage();
    await signIn(phone, server.url, EMAIL, PASSWORD);
    await openFromMenu(phone, 'Questionnaires');
    const koosJr = phone.getByRole('region', { name: /^KOOS JR — / });
    await koosJr.waitFor();
    await koosJr.getByText('LOINC 82324-5', { exact: false }).waitFor();
    await koosJr
      .getByText(/Its items are all in KOOS: asked together, it adds no question/)
      .waitFor();
    expect(await koosJr.getByRole('row', { name: /Knee health/ }).textContent()).toContain(
      '7 of 7',
    );
    await koosJr.getByText(/How KOOS JR is scored/).click();
    await koosJr.getByText(/Clin Orthop Relat Res 2016;474\(6\):1461/).waitFor();
    expect(await noHorizontalScroll(phone)).toBe(true);
    // The FHIR link serves the Questionnaire to the signed-in browser.
    const href = await koosJr
      .getByRole('link', { name: /FHIR R4 Questionnaire/ })
      .getAttribute('href');
    const questionnaire = await phone.evaluate(
      async (url) => (await fetch(url ?? '')).json(),
      href,
    );
    expect(questionnaire).toMatchObject({ resourceType: 'Questionnaire', id: 'koos-jr' });
  });
});
