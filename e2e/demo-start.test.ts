import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchChromium,
  openFromMenu,
  type RunningServer,
  signIn,
  startStemTrack,
} from './harness.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

describe('stemtrack start on an empty folder (what `npm start` runs)', () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startStemTrack([]);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('seeds the 600-patient demo registry and prints the URL and demo sign-in within a minute', () => {
    console.log(
      `stemtrack start: ready in ${server.readySeconds.toFixed(1)} s (demo seeding and web build included)`,
    );
    expect(server.output()).toContain('Seeded 600 patients');
    expect(server.output()).toContain('Demo sign-in: clinician@harbour.example / stemtrack-demo');
    expect(server.readySeconds).toBeLessThan(60);
  });

  it('lets the demo clinician browse patients and open one with scores', async () => {
    const page = await (await browser.newContext()).newPage();
    await signIn(page, server.url, 'clinician@harbour.example', 'stemtrack-demo');
    await page.getByText('400 patients at Harbour Orthobiologics Clinic').waitFor();
    await page.getByLabel('Search by name or registry id').fill('DEMO-00002');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: 'DEMO-00002' }).click();
    await page.getByRole('heading', { name: /DEMO-00002/ }).waitFor();
    expect(await page.locator('table.scores tbody tr').count()).toBeGreaterThan(0);
  });

  it('shows the researcher study ids, without names, registry ids or birth dates', async () => {
    const page = await (await browser.newContext()).newPage();
    await signIn(page, server.url, 'researcher@harbour.example', 'stemtrack-demo');
    await page.getByText('400 patients at Harbour Orthobiologics Clinic').waitFor();
    const headers = await page.locator('thead th').allInnerTexts();
    expect(headers).toEqual(['Study id', 'Sex', 'Joints', 'Responses']);
    expect(await page.getByRole('link', { name: 'Enrol patient' }).count()).toBe(0);
  });

  it('serves the public evidence page without a login, readable on a 360 px phone', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
    const page = await context.newPage();
    await page.goto(`${server.url}/evidence`);
    await page.getByRole('heading', { name: /what the evidence says/ }).waitFor();
    for (const heading of [
      'What randomised trials show',
      'How much pain improves with a placebo',
      'Known harms',
      'Regulatory status',
      'How to find a registered trial',
    ])
      await page.getByRole('heading', { name: heading }).waitFor();
    // A figure from the engine with its CI and source (Previtali 2021 saline arms, 6 months).
    await page.getByText(/−13\.40.*95% CI −21\.70 to −5\.10/).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      360,
    );
    await context.close();
  });

  it("shows the clinician the site's pain change beside the evidence, called what it is", async () => {
    const page = await (await browser.newContext()).newPage();
    await signIn(page, server.url, 'clinician@harbour.example', 'stemtrack-demo');
    await openFromMenu(page, 'Registry vs evidence');
    await page.getByRole('heading', { name: '6 months after treatment' }).waitFor();
    const registry = page.locator('.registry-line').first();
    const text = (await registry.textContent()) ?? '';
    expect(text).toMatch(/Mean change of −?\d+\.\d\d points in \d+ patients/);
    expect(text).toContain('not a treatment effect');
  });

  it('runs a meta-analysis from pasted CSV and draws the forest and funnel plots', async () => {
    const page = await (await browser.newContext()).newPage();
    await signIn(page, server.url, 'researcher@harbour.example', 'stemtrack-demo');
    await openFromMenu(page, 'Meta-analysis');
    const studies = page.getByLabel('Studies (CSV)');
    await studies.fill('study,yi,vi\nA,1,-1\n');
    await page.getByRole('button', { name: 'Run meta-analysis' }).click();
    await page.getByText('csv row 2, column vi: vi must be positive').waitFor();
    await studies.fill(readFileSync(join(ROOT, 'src/core/stats/fixtures/ref01.csv'), 'utf8'));
    await page.getByRole('button', { name: 'Run meta-analysis' }).click();
    // metafor REML/z for ref01: estimate −0.9315765786, CI −1.646983523 to −0.216169634.
    await page.getByText('95% CI −1.647 to −0.216').waitFor();
    expect(await page.locator('[data-testid=forest] svg').count()).toBe(1);
    expect(await page.locator('[data-testid=funnel] circle').count()).toBe(8);
  });

  it('shows the follow-up worklist and completeness per time point', async () => {
    const page = await (await browser.newContext()).newPage();
    await signIn(page, server.url, 'clinician@harbour.example', 'stemtrack-demo');
    await openFromMenu(page, 'Follow-up');
    await page.getByRole('heading', { name: 'Completeness per time point' }).waitFor();
    expect(await page.locator('table.flow tbody tr').count()).toBe(9);
    await page.getByLabel('Show').selectOption('missed');
    // The table is replaced once the filtered list arrives.
    await expect
      .poll(async () => [
        ...new Set(await page.locator('table.worklist tbody td .flag').allInnerTexts()),
      ])
      .toEqual(['missed']);
  });

  it("lets the admin word the registry's survey e-mails, refusing wording without the link", async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
    const page = await context.newPage();
    await signIn(page, server.url, 'admin@harbour.example', 'stemtrack-demo');
    await openFromMenu(page, 'E-mails');
    await page.getByRole('heading', { name: 'Survey e-mails' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      360,
    );
    // A BCP 47 tag as typed, kept in its canonical form.
    await page.getByLabel('Language tag').fill('pt-br');
    await page.getByLabel('Subject').fill('{{clinicName}} : questionnaire');
    await page.getByLabel('Body').fill('Merci de répondre.');
    await page.getByRole('button', { name: 'Save wording' }).click();
    await page.getByText('The body must contain {{link}}').waitFor();
    await page.getByLabel('Body').fill('Merci : {{link}} — se désabonner : {{unsubscribeLink}}');
    await page.getByRole('button', { name: 'Save wording' }).click();
    await page.getByRole('status').getByText('Saved.').waitFor();
    await page.getByText('Your registry’s wording.').waitFor();
    await page.getByText('your registry has wording for pt-BR').waitFor();
    await context.close();
  });

  it('draws the outcomes dashboard on a phone, with no CSP violation, and offers exports', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
    const page = await context.newPage();
    await signIn(page, server.url, 'researcher@harbour.example', 'stemtrack-demo');
    await page.getByText('400 patients at Harbour Orthobiologics Clinic').waitFor();
    // From here on the browser must report nothing: a blocked chart stylesheet would show.
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    await openFromMenu(page, 'Outcomes');
    await page.getByRole('heading', { name: 'Trajectory' }).waitFor();
    for (const chart of [
      /mean over time with 95% confidence band/,
      /this site against the network/,
      /Kaplan–Meier curves/,
      /Follow-up completeness per time point/,
    ])
      await page.getByRole('figure', { name: chart }).locator('svg').first().waitFor();
    // The trajectory draws the model band and one observed dot per time point with data.
    const trajectory = page.getByRole('figure', { name: /mean over time/ });
    expect(await trajectory.locator('path').count()).toBeGreaterThan(1);
    expect(await trajectory.locator('circle').count()).toBeGreaterThanOrEqual(5);
    await page.getByRole('heading', { name: 'Adverse events' }).waitFor();
    await page.getByText('Numbers at risk').waitFor();
    // A cohort filter redraws with the knee-only numbers.
    await page.getByLabel('Joint').selectOption('knee');
    await page.getByLabel('Outcome').selectOption({ label: 'KOOS Pain 0–100' });
    await page.getByRole('figure', { name: /KOOS Pain 0–100: mean over time/ }).waitFor();
    // Responder bars: KOOS Pain past its MCID and in its PASS, and OMERACT-OARSI responders.
    const responders = page.getByRole('figure', { name: /Responders per time point: KOOS Pain/ });
    await responders.locator('svg').first().waitFor();
    expect(await responders.locator('rect').count()).toBeGreaterThanOrEqual(3 * 5);
    await page.getByText('OMERACT-OARSI responders among knees and hips').waitFor();
    await page.getByRole('columnheader', { name: 'Past the MCID (15)' }).waitFor();
    // Treatment-level filters narrow the cohort; a refused one is named by the filters.
    await page.getByLabel('Cell source').selectOption('adipose');
    await page.getByLabel('BMI (WHO class)').selectOption('overweight');
    await page.getByRole('figure', { name: /KOOS Pain 0–100: mean over time/ }).waitFor();
    await page.getByLabel('Age from').fill('70');
    await page.getByLabel('Age to').fill('60');
    await page
      .getByRole('alert')
      .getByText('The lower age must not be above the upper age')
      .waitFor();
    await page.getByLabel('Age to').fill('90');
    await page.getByRole('figure', { name: /KOOS Pain 0–100: mean over time/ }).waitFor();
    // Wide tables and charts scroll inside their own boxes; nothing else may stick out.
    const wide = await page.evaluate(() =>
      [...document.querySelectorAll('body *')]
        .filter((e) => !e.closest('.table-wrap, .chart-box'))
        .filter((e) => e.getBoundingClientRect().right > 362)
        .slice(0, 8)
        .map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`),
    );
    expect(wide).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      360,
    );
    // The six refused requests with the reversed ages (outcomes, benchmark, durability,
    // safety, completeness and dose–response: every section follows the filters) log their 400s.
    expect(consoleErrors.filter((m) => !/status of 400/.test(m))).toEqual([]);
    expect(consoleErrors.filter((m) => /status of 400/.test(m))).toHaveLength(6);

    await openFromMenu(page, 'Exports');
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Scores (CSV)' }).click();
    const file = await (await download).path();
    const header = readFileSync(file, 'utf8').split('\n')[0];
    expect(header).toMatch(
      /^study_id,joint_id,response_id,joint,side,kl_grade,sex,age_at_treatment,/,
    );
    expect(await page.getByText('Identified exports (admins)').count()).toBe(0);
    await context.close();
  });
});
