import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchChromium,
  openFromMenu,
  type RunningServer,
  signIn,
  startStemTrack,
} from './harness.ts';

// The demo registry (600 invented patients), so tables and charts are full, as at a clinic.
const EMAIL = 'clinician@harbour.example';
const PASSWORD = 'stemtrack-demo';
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const WIDTHS = [360, 1366] as const;

/** Every page of the clinic app: menu entry, path, heading. The patient's page comes later. */
const PAGES: [string, string, string | RegExp][] = [
  ['Patients', '/', 'Patients'],
  ['Patients', '/patients/new', 'Enrol a patient'],
  ['Follow-up', '/follow-up', 'Follow-up'],
  ['Call list', '/call-list', 'Call list'],
  ['Outcomes', '/outcomes', 'Outcomes'],
  ['Exports', '/exports', 'Exports'],
  ['Schedule', '/schedule', 'Follow-up schedule'],
  ['Questionnaires', '/questionnaires', 'Questionnaires'],
  ['E-mails', '/emails', 'Survey e-mails'],
  ['Registry vs evidence', '/registry-vs-evidence', 'Registry vs evidence'],
  ['Meta-analysis', '/meta-analysis', 'Meta-analysis'],
];

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** axe-core's WCAG 2.1 A and AA rules; only serious and critical findings are returned. */
async function seriousViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run: (c: Document, o: unknown) => Promise<{ violations: Violation[] }> };
      }
    ).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`,
    );
}

/** Tables and lists (and the page) that reach past the viewport's right edge. */
async function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = window.innerWidth;
    const out: string[] = [];
    const root = document.scrollingElement;
    if (root && root.scrollWidth > width) out.push(`page is ${root.scrollWidth}px wide`);
    for (const el of document.querySelectorAll('main table, main tr, main ul, main ol, main li')) {
      const box = el.getBoundingClientRect();
      if (box.width > 0 && (box.right > width + 0.5 || box.left < -0.5))
        out.push(`${el.tagName.toLowerCase()}.${el.className} spans ${box.left}–${box.right}px`);
    }
    return out;
  });
}

/**
 * Every chart's text at its rendered size (computed font size times the SVG's scale on screen)
 * below 12 px, two tick labels of one axis overlapping, and lines (CI bars) drawn past the
 * chart's edge.
 */
async function unreadableCharts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const svgs = [...document.querySelectorAll('main svg.chart, main .plot > svg')].filter(
      (svg): svg is SVGSVGElement => svg instanceof SVGSVGElement,
    );
    const overlap = (a: DOMRect, b: DOMRect) =>
      a.left < b.right - 0.5 &&
      b.left < a.right - 0.5 &&
      a.top < b.bottom - 0.5 &&
      b.top < a.bottom - 0.5;
    svgs.forEach((svg, i) => {
      const name = `chart ${i + 1} (${svg.closest('figure')?.getAttribute('aria-label') ?? svg.getAttribute('aria-label')})`;
      const scale = svg.getScreenCTM()?.a ?? 1;
      for (const text of svg.querySelectorAll('text')) {
        if (!(text.textContent ?? '').trim()) continue;
        const size = Number.parseFloat(getComputedStyle(text).fontSize) * scale;
        if (size < 11.99) out.push(`${name}: "${text.textContent}" is ${size.toFixed(1)} px`);
      }
      const axes = [
        ...[...svg.querySelectorAll('g[data-mark$="tick label"]')].map((g) => [
          ...g.querySelectorAll('text'),
        ]),
        [...svg.querySelectorAll('text.tick:not(.y)')],
        [...svg.querySelectorAll('text.tick.y')],
      ];
      for (const labels of axes) {
        const boxes = labels.map((t) => [t.textContent, t.getBoundingClientRect()] as const);
        boxes.forEach(([a, boxA], j) => {
          for (const [b, boxB] of boxes.slice(j + 1))
            if (overlap(boxA, boxB)) out.push(`${name}: tick labels "${a}" and "${b}" overlap`);
        });
      }
      const frame = svg.getBoundingClientRect();
      for (const line of svg.querySelectorAll('line, path')) {
        const box = line.getBoundingClientRect();
        if (box.width === 0 && box.height === 0) continue;
        if (
          box.top < frame.top - 1 ||
          box.bottom > frame.bottom + 1 ||
          box.left < frame.left - 1 ||
          box.right > frame.right + 1
        )
          out.push(`${name}: a line is drawn past the chart's edge`);
      }
    });
    return out;
  });
}

async function settled(page: Page, heading: string | RegExp) {
  await page.getByRole('heading', { level: 1, name: heading }).first().waitFor();
  await expect
    .poll(() => page.getByText('Loading…', { exact: true }).count(), { timeout: 60_000 })
    .toBe(0);
}

describe('the clinic screens at 360 px and 1366 px', () => {
  let server: RunningServer;
  let browser: Browser;
  let patientPath = '';

  beforeAll(async () => {
    server = await startStemTrack([]);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('names fields by their labels, explains the missing survey form, and defaults the link to the time point due', async () => {
    const page = await (
      await browser.newContext({ viewport: { width: 1366, height: 900 } })
    ).newPage();
    await signIn(page, server.url, EMAIL, PASSWORD);
    await page.getByRole('link', { name: 'Enrol patient' }).click();
    await page.getByRole('button', { name: 'Enrol patient' }).click();
    const summary = page.getByRole('alert');
    await summary.waitFor();
    const text = (await summary.textContent()) ?? '';
    expect(text).toContain('Date of birth');
    for (const code of ['givenName', 'dateOfBirth', 'consentGiven', 'unknown'])
      expect(text).not.toContain(code);

    await page.getByLabel('Given name').fill('Ada');
    await page.getByLabel('Family name').fill('Screens');
    await page.getByLabel('Date of birth').fill('1960-03-04');
    await page.getByLabel('Sex').selectOption('unknown');
    await page.getByLabel(/has given written consent/).check();
    await page.getByRole('button', { name: 'Enrol patient' }).click();
    await page.getByRole('heading', { name: /Ada Screens/ }).waitFor();
    patientPath = new URL(page.url()).pathname;
    await page.getByText('Born 4 Mar 1960 · Sex not recorded').waitFor();

    await page.getByLabel('Side').selectOption('left');
    await page.getByLabel('Kellgren–Lawrence grade').selectOption('2');
    await page.getByRole('button', { name: 'Save joint' }).click();
    await page
      .getByText(/No survey link can be issued yet: .* record the injection first/)
      .waitFor();
    expect(await page.getByRole('button', { name: 'Issue survey link' }).count()).toBe(0);

    // A product chosen by its label; an error names "Product", never productClass.
    await page.getByText('Record an injection').click();
    await page.getByRole('button', { name: 'Save injection' }).click();
    await page.getByText(/Please correct: .*Product/).waitFor();
    expect(await page.locator('main').textContent()).not.toMatch(/productClass|volumeMl/);
    await page.getByLabel('Product').selectOption('BM-MSC');
    await page.getByLabel('Volume (mL)').fill('5');
    await page.getByRole('button', { name: 'Save injection' }).click();
    await page.getByText(/Bone-marrow MSC \(culture-expanded\), 5 mL/).waitFor();
    expect(await page.locator('main').textContent()).not.toContain('BM-MSC');

    // Treated today: baseline's window is open, so it is offered and issued without a question.
    const timepoint = page.getByLabel('Survey time point');
    expect(await timepoint.inputValue()).toBe('baseline');
    await page.getByRole('button', { name: 'Issue survey link' }).click();
    await page.getByLabel(/Survey link/).waitFor();
    await page.getByTestId('link-emailed').getByText('Not sent (e-mail is off)').waitFor();
    await page.getByText(/Baseline \(NRS pain \+ KOOS\): not sent \(e-mail is off\)/).waitFor();

    // Six weeks is weeks away: the link needs an explicit confirmation that says so.
    await timepoint.selectOption('w6');
    await page.getByText(/Today is outside the 6 weeks window/).waitFor();
    const issue = page.getByRole('button', { name: 'Issue survey link' });
    expect(await issue.isDisabled()).toBe(true);
    await page.getByLabel('Issue it outside its window anyway').check();
    const before = await page.getByLabel(/Survey link/).inputValue();
    await issue.click();
    await expect.poll(() => page.getByLabel(/Survey link/).inputValue()).not.toBe(before);
    await page.getByText(/6 weeks \(NRS pain \+ KOOS\): not sent/).waitFor();

    // The server refuses the same without the confirmation, naming why.
    const refused = await page.evaluate(async (path) => {
      const me = await (await fetch('/api/auth/me')).json();
      const record = await (await fetch(`/api${path}`)).json();
      const r = await fetch(`/api/episodes/${record.episodes[0].id}/surveys`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrfToken },
        body: JSON.stringify({ timepoint: 'm3' }),
      });
      return { status: r.status, body: await r.json() };
    }, patientPath);
    expect(refused.status).toBe(400);
    expect(refused.body.error.fields[0].field).toBe('confirmOutsideWindow');
    expect(refused.body.error.message).toMatch(/3 months window .* has not opened yet/);
  });

  it('keeps the header on one line at 1366 px and marks the page you are on', async () => {
    const page = await (
      await browser.newContext({ viewport: { width: 1366, height: 900 } })
    ).newPage();
    await signIn(page, server.url, EMAIL, PASSWORD);
    for (const [name, path] of PAGES) {
      await page.goto(`${server.url}${path}`);
      const current = page.locator('nav[aria-label="Main"] a[aria-current="page"]');
      await current.waitFor();
      expect(await current.count()).toBe(1);
      expect(await current.textContent()).toBe(name);
      const lines = await page.evaluate(() => {
        // The phone's "Menu" button is not drawn at this width, so it has no line.
        const tops = [...document.querySelectorAll('.topbar > *, .topnav a')]
          .map((el) => el.getBoundingClientRect())
          .filter((box) => box.height > 0)
          .map((box) => box.top + box.height / 2);
        return Math.max(...tops) - Math.min(...tops);
      });
      expect(lines, `header of ${path} spans more than one line`).toBeLessThan(16);
      // Nothing of the header (who is signed in, Sign out) is pushed past the screen's edge.
      const overflow = await page.evaluate(() =>
        [...document.querySelectorAll('.topbar > *')].some(
          (el) => el.getBoundingClientRect().right > window.innerWidth,
        ),
      );
      expect(overflow, `header of ${path} runs past the screen`).toBe(false);
    }
  });

  for (const width of WIDTHS) {
    it(`passes axe (WCAG 2.1 AA) with nothing wider than the screen on every page at ${width} px`, async () => {
      expect(patientPath).not.toBe('');
      // axe is injected as a script, which the app's CSP (script-src 'self') would refuse.
      const page = await (
        await browser.newContext({ viewport: { width, height: 800 }, bypassCSP: true })
      ).newPage();
      await signIn(page, server.url, EMAIL, PASSWORD);
      await page.getByRole('heading', { name: 'Patients' }).waitFor();
      const problems: string[] = [];
      const pages: [string, string | RegExp][] = [
        ...PAGES.map(([, path, heading]): [string, string | RegExp] => [path, heading]),
        [patientPath, /Ada Screens/],
      ];
      for (const [path, heading] of pages) {
        await page.goto(`${server.url}${path}`);
        await settled(page, heading);
        for (const v of await seriousViolations(page)) problems.push(`${path}: ${v}`);
        for (const o of await overflowing(page)) problems.push(`${path}: ${o}`);
      }
      expect(problems).toEqual([]);
    });
  }
  it('draws every chart at 360 px with text of 12 px or more, tick labels apart and CI bars inside, the site beside the network', async () => {
    const page = await (
      await browser.newContext({ viewport: { width: 360, height: 800 } })
    ).newPage();
    await signIn(page, server.url, EMAIL, PASSWORD);
    await page.getByRole('heading', { name: 'Patients' }).waitFor();
    await page.goto(`${server.url}/outcomes`);
    await settled(page, 'Outcomes');
    // Trajectory, benchmark, Kaplan–Meier, completeness and responders, and one chart per
    // dose–response curve the demo has joints enough for.
    await page
      .getByRole('figure', { name: /change from baseline against dose/ })
      .first()
      .waitFor();
    const doseCurves = await page.locator('.dose-curve figure.chart-box').count();
    expect(doseCurves).toBeGreaterThan(0);
    await expect
      .poll(() => page.locator('figure.chart-box svg.chart').count())
      .toBe(5 + doseCurves);
    expect(await unreadableCharts(page)).toEqual([]);
    // Every estimate of the site, the rest of the network and the peers can be seen: no dot
    // sits on another.
    const hidden = await page.evaluate(() => {
      const chart = document.querySelector('figure[aria-label*="against the network"]');
      const dots = [...(chart?.querySelectorAll('circle') ?? [])].map((c) => {
        const b = c.getBoundingClientRect();
        return [b.left + b.width / 2, b.top + b.height / 2] as const;
      });
      let n = 0;
      dots.forEach(([x, y], i) => {
        for (const [x2, y2] of dots.slice(i + 1)) if (Math.hypot(x - x2, y - y2) < 2) n++;
      });
      return { dots: dots.length, hidden: n };
    });
    expect(hidden.dots).toBeGreaterThan(6);
    expect(hidden.hidden).toBe(0);
    expect(await page.locator('main').textContent()).toContain('Trajectory: NRS pain 0–10');

    await page.goto(`${server.url}/meta-analysis`);
    await settled(page, 'Meta-analysis');
    await page
      .getByLabel('Studies (CSV)')
      .fill('study,yi,vi\nSmith 2019,-1.2,0.09\nLee 2020,-0.4,0.04\nPark 2021,0.1,0.16');
    await page.getByRole('button', { name: 'Run meta-analysis' }).click();
    await page.getByTestId('forest').locator('svg').waitFor();
    expect(await unreadableCharts(page)).toEqual([]);
    // Wider than a phone: it scrolls inside its own box, and a line says so.
    await page
      .getByText(/scroll sideways/)
      .first()
      .waitFor();
    expect(await page.evaluate(() => document.scrollingElement?.scrollWidth)).toBeLessThanOrEqual(
      360,
    );
    expect(await page.locator('main').textContent()).toContain('3 studies');
  });

  it('counts in words and keeps one sign for less pain on the evidence pages', async () => {
    const page = await (
      await browser.newContext({ viewport: { width: 1366, height: 900 } })
    ).newPage();
    await signIn(page, server.url, EMAIL, PASSWORD);
    await page.getByRole('heading', { name: 'Patients' }).waitFor();
    const codes =
      /nrs-pain|NRS pain:? Pain|\b1 (trials|items|joints|patients|studies|days|months|points)\b/;
    for (const [path, heading] of [
      ['/outcomes', 'Outcomes'],
      ['/questionnaires', 'Questionnaires'],
      ['/registry-vs-evidence', 'Registry vs evidence'],
    ] as const) {
      await page.goto(`${server.url}${path}`);
      await settled(page, heading);
      expect(await page.locator('main').textContent(), path).not.toMatch(codes);
    }
    // Said once, near the numbers.
    expect(await page.locator('.sign-rule').count()).toBe(1);
    await page.goto(`${server.url}/evidence`);
    await settled(page, /what the evidence says/);
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).not.toMatch(codes);
    expect(await page.locator('.sign-rule').count()).toBe(1);
    // Zhang 2008 reports the placebo response as +0.51 (improvement); shown as less pain.
    expect(text).toContain('−0.51 (95% CI −0.55 to −0.46)');
    expect(text).toContain('198 trials');
  });

  it('folds the page links behind a Menu button at 360 px, by mouse and by keyboard', async () => {
    const page = await (
      await browser.newContext({ viewport: { width: 360, height: 800 } })
    ).newPage();
    await signIn(page, server.url, EMAIL, PASSWORD);
    await page.getByRole('heading', { name: 'Patients' }).waitFor();
    const menu = page.getByRole('button', { name: 'Menu' });
    const nav = page.locator('nav[aria-label="Main"]');
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    expect(await menu.getAttribute('aria-controls')).toBe(await nav.getAttribute('id'));
    expect(await nav.isVisible()).toBe(false);
    // Closed, the header is one line.
    const height = await page.evaluate(() => document.querySelector('.topbar')?.clientHeight ?? 0);
    expect(height).toBeLessThan(70);

    await menu.click();
    expect(await menu.getAttribute('aria-expanded')).toBe('true');
    await openFromMenu(page, 'Outcomes');
    await settled(page, 'Outcomes');
    expect(await menu.getAttribute('aria-expanded')).toBe('false');

    await menu.focus();
    await page.keyboard.press('Enter');
    expect(await menu.getAttribute('aria-expanded')).toBe('true');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Patients');
    await page.keyboard.press('Escape');
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Menu');
    expect(await nav.isVisible()).toBe(false);
  });
});
