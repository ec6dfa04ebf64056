import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchChromium,
  pageOverflows,
  type RunningServer,
  seriousViolations,
  signIn,
  startStemTrack,
} from './harness.ts';

const EMAIL = 'clinician@harbour.example';
const PASSWORD = 'stemtrack-demo';
/** Screenshots for a person to look at; never committed. */
const SHOTS = process.env.STEMTRACK_SHOTS;

/**
 * Every visible text with a letter in it that is not wrapped in the pseudo-locale's brackets:
 * a string that escaped translation. Numbers alone (the rating row, "3 / 43") have no words; a
 * rating's end point keeps its number before its words ("0 – [Ñó þáíñ]").
 */
async function untranslatedTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    const bracketed = /^(-?\d+\s*[–—:-]\s*)?\[[\s\S]*\]$/;
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = (node.textContent ?? '').trim();
      const parent = node.parentElement;
      if (!text || !parent || !/\p{L}/u.test(text)) continue;
      if (parent.getClientRects().length === 0 || getComputedStyle(parent).visibility === 'hidden')
        continue;
      if (!bracketed.test(text)) found.push(text);
    }
    // Names a screen reader says count as much as the text a reader sees.
    for (const el of document.querySelectorAll('[aria-label]')) {
      const label = el.getAttribute('aria-label') ?? '';
      if (/\p{L}/u.test(label) && !bracketed.test(label)) found.push(`aria-label: ${label}`);
    }
    if (!bracketed.test(document.title)) found.push(`title: ${document.title}`);
    return found;
  });
}

/** Elements reaching past the viewport's edge, by tag, class and width: the page would scroll sideways. */
async function widerThanPage(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('main *')]
      .filter((el) => {
        const r = el.getBoundingClientRect();
        return r.right > window.innerWidth + 0.5 || r.left < -0.5;
      })
      .map(
        (el) =>
          `${el.tagName.toLowerCase()}.${el.className} ${Math.round(el.getBoundingClientRect().width)}px`,
      ),
  );
}

describe('the survey in the patient’s language, in a real browser', () => {
  let server: RunningServer;
  let browser: Browser;
  const links: Record<string, string> = {};

  beforeAll(async () => {
    server = await startStemTrack(['--patients', '12', '--seed', '5']);
    browser = await launchChromium();
    // A clinician enrols two patients, one in each pseudo-locale, and issues their baseline links.
    const clinic = await (await browser.newContext()).newPage();
    await signIn(clinic, server.url, EMAIL, PASSWORD);
    await clinic.locator('nav#main-menu').waitFor({ state: 'attached' });
    for (const language of ['en-XA', 'ar-XB']) {
      links[language] = await clinic.evaluate(async (language) => {
        const me = await (await fetch('/api/auth/me')).json();
        const call = async (method: string, path: string, body: unknown) => {
          const r = await fetch(`/api${path}`, {
            method,
            headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrfToken },
            body: JSON.stringify(body),
          });
          const json = await r.json();
          if (!r.ok) throw new Error(`${method} ${path}: ${JSON.stringify(json)}`);
          return json;
        };
        const today = new Date().toISOString().slice(0, 10);
        const patient = await call('POST', '/patients', {
          givenName: 'Lina',
          familyName: `Pseudo ${language}`,
          dateOfBirth: '1960-04-02',
          sex: 'female',
          consentDate: today,
          consentGiven: true,
        });
        await call('PUT', `/patients/${patient.id}/contact`, {
          mobile: '',
          smsConsent: 'none',
          timeZone: 'Europe/London',
          language,
          preferredCallTime: '',
        });
        const episode = await call('POST', `/patients/${patient.id}/episodes`, {
          joint: 'knee',
          side: 'right',
          klGrade: 2,
        });
        await call('POST', `/episodes/${episode.id}/treatments`, {
          treatmentDate: today,
          productClass: 'PRP',
          cellDoseMillions: null,
          volumeMl: 5,
          imageGuidance: 'ultrasound',
        });
        const issued = await call('POST', `/episodes/${episode.id}/surveys`, {
          timepoint: 'baseline',
        });
        return issued.url as string;
      }, language);
    }
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('lets no string escape translation on any survey screen in en-XA (360 px, axe clean)', async () => {
    const page = await (
      await browser.newContext({ viewport: { width: 360, height: 780 }, bypassCSP: true })
    ).newPage();
    await page.goto(new URL(new URL(links['en-XA'] ?? '').pathname, server.url).href);
    const start = page.getByRole('button', { name: /^\[Šţáŕţ/ });
    await start.waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en-XA');
    expect(await untranslatedTexts(page)).toEqual([]);
    expect(await seriousViolations(page)).toEqual([]);
    await start.click();
    // Every question: its heading, text, answers, buttons and save state, then the review.
    let questions = 0;
    while (!(await page.locator('[data-stage="review"]').isVisible())) {
      const radios = page.getByRole('radio');
      await radios.first().waitFor();
      expect(await untranslatedTexts(page), `question ${questions + 1}`).toEqual([]);
      if (questions === 0) {
        if (SHOTS) await page.screenshot({ path: `${SHOTS}/survey-en-XA-360.png` });
        expect(await seriousViolations(page)).toEqual([]);
        expect(await widerThanPage(page)).toEqual([]);
        expect(await pageOverflows(page)).toBe(false);
      }
      await radios.first().check();
      await page.getByText('[Šáṽéð~~]').waitFor();
      expect(await untranslatedTexts(page)).toEqual([]);
      await page.getByRole('button', { name: /^\[(Ñéẋţ|Ŕéṽíéŵ)/ }).click();
      questions++;
    }
    expect(questions).toBeGreaterThan(10);
    await page.getByRole('heading', { level: 1 }).waitFor();
    expect(await untranslatedTexts(page)).toEqual([]);
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: /^\[Šéñð/ }).click();
    await page.locator('[data-stage="done"]').waitFor();
    expect(await untranslatedTexts(page)).toEqual([]);
  });

  it('lays the survey out right to left in ar-XB at 360 px', async () => {
    const page = await (
      await browser.newContext({ viewport: { width: 360, height: 780 }, bypassCSP: true })
    ).newPage();
    await page.goto(new URL(new URL(links['ar-XB'] ?? '').pathname, server.url).href);
    await page.locator('[data-stage="intro"] button.primary').click();
    await page.getByRole('radio').first().waitFor();
    expect(await page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    // Back comes first in reading order, so on the right; the row of answers starts on the right.
    const back = await page.locator('.nav-buttons button').first().boundingBox();
    const next = await page.locator('.nav-buttons button.primary').boundingBox();
    expect((back?.x ?? 0) > (next?.x ?? 0)).toBe(true);
    expect(await pageOverflows(page)).toBe(false);
    expect(await seriousViolations(page)).toEqual([]);
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/survey-ar-XB-360.png` });
  });

  it('shows the evidence page in the language its link names (?lang=), right to left in ar-XB', async () => {
    const page = await (
      await browser.newContext({ viewport: { width: 360, height: 780 }, bypassCSP: true })
    ).newPage();
    await page.goto(`${server.url}/evidence?lang=en-XA`);
    await page.getByRole('heading', { level: 1, name: /^\[Šţéɱ/ }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en-XA');
    await page.goto(`${server.url}/evidence?lang=ar-XB`);
    await page.locator('main.evidence h1').waitFor();
    expect(await page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    expect(await pageOverflows(page)).toBe(false);
    expect(await seriousViolations(page)).toEqual([]);
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/evidence-ar-XB-360.png` });
  });
});
