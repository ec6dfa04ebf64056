import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../store/db.ts';
import { findUserById } from '../../store/users.repo.ts';
import { backends } from '../../testing/databases.ts';
import type { AppContext, UserActor } from '../context.ts';
import { seedDemoRegistry } from '../demo.ts';
import { followUpOverview } from '../follow-up/followup.ts';
import { issueSurvey, saveSurveyDraft } from '../follow-up/surveys.ts';
import { siteBenchmark, siteDurability, siteOutcomeReport } from './report.ts';
import { RENEWED_PER_SITE, RENEWED_PER_USER, ViewCache } from './view-cache.ts';

const NOW = new Date('2026-11-01T12:00:00Z');

describe.each(backends())('dashboard views kept per registry version on $name', (backend) => {
  let db: Db;
  let ctx: AppContext;
  let harbour: UserActor;
  let harbourClinician: UserActor;
  let northside: UserActor;
  beforeAll(async () => {
    db = await backend.open();
    await seedDemoRegistry(db, { seed: 5, patients: 60, now: NOW });
    const actor = async (email: string): Promise<UserActor> => {
      const [row] = await db.query<{ id: string }>('select id from users where email = $1', [
        email,
      ]);
      const user = row && (await findUserById(db, row.id));
      if (!user) throw new Error(`demo user ${email} missing`);
      return { kind: 'user', user };
    };
    harbour = await actor('researcher@harbour.example');
    harbourClinician = await actor('clinician@harbour.example');
    northside = await actor('clinician@northside.example');
  });
  afterAll(async () => {
    await db.close();
  });

  /** Reports a later event for one of the site's joints, as a clinician would. */
  const recordEvent = async (actor: UserActor, kind: string) => {
    // A joint treated before the event's date that has had no such event yet.
    const [joint] = await db.query<{ patientId: string; episodeId: string }>(
      `select e.patient_id as "patientId", e.id as "episodeId" from joint_episodes e
       where e.site_id = $1
         and exists (select 1 from treatments t where t.episode_id = e.id
                     and t.treatment_date < '2026-09-01')
         and not exists (select 1 from patient_events pe where pe.episode_id = e.id
                         and pe.kind = $2)
       order by e.id limit 1`,
      [actor.user.siteId, kind],
    );
    await db.query(
      `insert into patient_events (site_id, patient_id, episode_id, kind, event_date, reported_via)
       values ($1, $2, $3, $4, '2026-10-01', 'clinician')`,
      [actor.user.siteId, joint?.patientId, joint?.episodeId, kind],
    );
  };

  it('serve a view again until the data behind it changes, and then recompute it', async () => {
    ctx = { db, now: () => NOW, publicUrl: 'http://t', views: new ViewCache() };
    const first = await siteDurability(ctx, harbour);
    expect(await siteDurability(ctx, harbour)).toBe(first);
    expect([ctx.views.hits, ctx.views.misses]).toEqual([1, 1]);

    await recordEvent(harbour, 'arthroplasty');
    const after = await siteDurability(ctx, harbour);
    expect(after).not.toBe(first);
    expect(after.arthroplastyFree.events).toBe(first.arthroplastyFree.events + 1);
    // Nothing computed from the old data is served again.
    expect(await siteDurability(ctx, harbour)).toBe(after);
  });

  it('renew views opened lately after a change, so the next look is served from memory', async () => {
    let clock = 0;
    const views = new ViewCache(() => clock);
    ctx = { db, now: () => NOW, publicUrl: 'http://t', views };
    const before = await siteDurability(ctx, harbour);
    await siteOutcomeReport(ctx, harbour, { joint: 'knee' });
    // Nothing changed: nothing to renew.
    expect(await views.refresh()).toBe(0);

    await recordEvent(harbour, 'reinjection');
    // A site has one version, so both of its views are renewed.
    expect(await views.refresh()).toBe(2);
    const misses = views.misses;
    const after = await siteDurability(ctx, harbour);
    expect(views.misses).toBe(misses);
    expect(after).not.toBe(before);
    expect(after.reinjectionFree.events).toBe(before.reinjectionFree.events + 1);

    // Views nobody opened for longer than the window are let go, not renewed.
    clock = 31 * 60_000;
    await recordEvent(harbour, 'returned-to-work');
    expect(await views.refresh()).toBe(0);
  });

  it('key each view by its cohort, and by every site for network-wide views', async () => {
    ctx = { db, now: () => NOW, publicUrl: 'http://t', views: new ViewCache() };
    const knees = await siteOutcomeReport(ctx, harbour, { joint: 'knee' });
    const all = await siteOutcomeReport(ctx, harbour, {});
    expect(all).not.toBe(knees);
    expect(await siteOutcomeReport(ctx, harbour, { joint: 'knee' })).toBe(knees);
    const bench = await siteBenchmark(ctx, harbour, {});
    const durability = await siteDurability(ctx, harbour);

    // A change at another site leaves this site's own views but not the network's.
    await recordEvent(northside, 'reinjection');
    expect(await siteOutcomeReport(ctx, harbour, {})).toBe(all);
    expect(await siteDurability(ctx, harbour)).toBe(durability);
    expect(await siteBenchmark(ctx, harbour, {})).not.toBe(bench);

    // A new treatment at this site changes what its outcome reports are computed from.
    const [joint] = await db.query<{ patientId: string; episodeId: string }>(
      `select patient_id as "patientId", id as "episodeId" from joint_episodes
       where site_id = $1 order by id limit 1`,
      [harbour.user.siteId],
    );
    await db.query(
      `insert into treatments (site_id, patient_id, episode_id, treatment_date, product_class,
                               volume_ml, image_guidance)
       values ($1, $2, $3, '2026-10-02', 'PRP', 4, 'ultrasound')`,
      [harbour.user.siteId, joint?.patientId, joint?.episodeId],
    );
    expect(await siteOutcomeReport(ctx, harbour, {})).not.toBe(all);
  });

  it('keep the follow-up worklist until a link is issued or the day changes, not on an autosave', async () => {
    let now = NOW;
    ctx = { db, now: () => now, publicUrl: 'http://t', views: new ViewCache() };
    const first = await followUpOverview(ctx, harbour, {});
    expect(await followUpOverview(ctx, harbour, {})).toBe(first);
    const due = first.worklist.find((row) => !row.invited);
    if (!due) throw new Error('the demo site has no uninvited due time point');

    const link = await issueSurvey(ctx, harbourClinician, due.episodeId, {
      timepoint: due.timepoint,
    });
    const second = await followUpOverview(ctx, harbour, {});
    expect(second).not.toBe(first);
    expect(
      second.worklist.find((r) => r.episodeId === due.episodeId && r.timepoint === due.timepoint)
        ?.invited,
    ).toBe(true);

    // A patient's autosave changes nothing on any dashboard, so nothing is recomputed.
    const token = link.url.slice(link.url.lastIndexOf('/') + 1);
    await saveSurveyDraft(ctx, token, { answers: { 'nrs-pain': { NRS: 5 } } });
    expect(await followUpOverview(ctx, harbour, {})).toBe(second);
    // Statuses move with the calendar: the next day is computed afresh.
    now = new Date(NOW.getTime() + 86_400_000);
    const nextDay = await followUpOverview(ctx, harbour, {});
    expect(nextDay).not.toBe(second);
    expect(nextDay.today).toBe('2026-11-02');
  });

  it('renew only the views each person and site asked for most recently', async () => {
    const views = new ViewCache();
    const ask = (userId: string, n: number) =>
      views.get(
        db,
        { name: 'outcomes', siteId: harbour.user.siteId, params: { n }, userId },
        async () => ({
          n,
        }),
      );
    for (let n = 0; n < 200; n++) await ask(harbour.user.id, n);
    expect(views.renewable).toBe(RENEWED_PER_USER);
    await recordEvent(harbour, 'reinjection');
    expect(await views.refresh()).toBe(RENEWED_PER_USER);
    // Many people at one site: the site's limit holds too.
    for (let person = 0; person < 10; person++)
      for (let n = 0; n < RENEWED_PER_USER; n++) await ask(`person-${person}`, person * 100 + n);
    expect(views.renewable).toBe(RENEWED_PER_SITE);
    // The most recent survive: asking again is served from memory.
    const misses = views.misses;
    await ask('person-9', 900);
    expect(views.misses).toBe(misses);
  });

  it('yield to other work between renewed views and stop early when told to', async () => {
    const views = new ViewCache();
    let computed = 0;
    for (let n = 0; n < RENEWED_PER_USER; n++)
      await views.get(
        db,
        { name: 'durability', siteId: harbour.user.siteId, params: { n }, userId: 'u' },
        async () => {
          computed++;
          return { n };
        },
      );
    await recordEvent(harbour, 'arthroplasty');
    computed = 0;
    // Other work (this loop) runs while the round renews views: it yields between them.
    let ticks = 0;
    const round = views.refresh();
    // Stops once a view or two is renewed; the round does not run on to the end.
    while (computed < 2) {
      ticks++;
      await new Promise((r) => setImmediate(r));
    }
    views.stop();
    const renewed = await round;
    expect(renewed).toBeLessThan(RENEWED_PER_USER);
    expect(ticks).toBeGreaterThan(0);
    expect(await views.refresh()).toBe(0);
  });
});
