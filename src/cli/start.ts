import cluster, { type Worker } from 'node:cluster';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { ACCOUNT_EMAIL_JOB, accountEmailHandler } from '../app/access/account-mail.ts';
import {
  BACKGROUND_FOLD,
  foldNotedChanges,
  keepDashboardSumsCurrent,
} from '../app/analytics/report.ts';
import { ViewCache } from '../app/analytics/view-cache.ts';
import { Gate } from '../app/compute/gate.ts';
import { ComputePool } from '../app/compute/pool.ts';
import type { AppContext } from '../app/context.ts';
import {
  DEMO_LOGINS,
  DEMO_PASSWORD,
  demoExposureWarning,
  hasDemoAccounts,
  isEmptyRegistry,
  seedDemoRegistry,
} from '../app/demo.ts';
import {
  AUTO_INVITE_JOB,
  autoInviteHandler,
  queueAutoInvite,
} from '../app/follow-up/invitations.ts';
import { type MailSettings, surveyEmailHandler } from '../app/follow-up/mail.ts';
import { type SmsSettings, SURVEY_SMS_JOB, surveyTextHandler } from '../app/follow-up/sms.ts';
import { loadInstrumentTranslations, loadLicensedInstruments } from '../app/instruments.ts';
import { migrateAsOwner } from '../app/migrate.ts';
import { JobRunner } from '../jobs/runner.ts';
import { smtpSender } from '../jobs/smtp.ts';
import { twilioProvider } from '../jobs/twilio.ts';
import { createHttpApp } from '../server/app.ts';
import type { Config } from '../server/config.ts';
import { type Db, openDatabase } from '../store/db.ts';
import { migrate } from '../store/migrate.ts';
import { renewPlannerStatistics } from '../store/planner-statistics.repo.ts';
import { submissionBatcher } from '../store/submission-batch.ts';

/** On SIGTERM/SIGINT the process is gone within this, whatever was running. */
const STOP_WITHIN_MS = 4_000;
/** How often PGlite's tables are checked for stale planner statistics (autovacuum_naptime's default). */
const STATISTICS_CHECK_MS = 60_000;

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const WEB_SOURCE = join(PROJECT_ROOT, 'src', 'web');
export const WEB_ROOT = join(PROJECT_ROOT, 'dist', 'web');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** The web app bundles domain code too (scoring, instrument files), so both count as its source. */
const WEB_BUNDLE_SOURCES = [WEB_SOURCE, join(PROJECT_ROOT, 'src', 'core')];

/** Builds the web app with Vite unless a build newer than every source file is there. */
export async function ensureWebBuilt(): Promise<void> {
  const index = join(WEB_ROOT, 'index.html');
  const newestSource = Math.max(...WEB_BUNDLE_SOURCES.map(newestMtime));
  if (existsSync(index) && statSync(index).mtimeMs >= newestSource) return;
  console.log('Building the web app…');
  const { build } = await import('vite');
  await build({ configFile: join(WEB_SOURCE, 'vite.config.ts'), logLevel: 'warn' });
}

export interface StartOptions {
  demo: boolean;
  patients: number;
  seed: number;
  /** Processes serving requests; undefined means one per core. PGlite always has one. */
  workers?: number;
}

/** How many processes `stemtrack start` runs, and why, for its startup output. */
export function processesFor(
  config: Pick<Config, 'DATABASE_URL'>,
  asked: number | undefined,
): { workers: number; note: string } {
  if (!config.DATABASE_URL)
    return {
      workers: 1,
      note: 'one process: the embedded PGlite database belongs to a single process (set DATABASE_URL to run several)',
    };
  const workers = asked ?? availableParallelism();
  return {
    workers,
    note: `${workers} process${workers === 1 ? '' : 'es'}${asked === undefined ? ' (one per core)' : ''}`,
  };
}

/**
 * Serves StemTrack. With PostgreSQL and more than one worker, this process migrates, seeds and
 * builds, then runs the workers (node:cluster, sharing the port) and replaces any that dies;
 * every worker serves requests, runs jobs and keeps its own views over the one database.
 */
export async function startServer(config: Config, opts: StartOptions): Promise<void> {
  if (cluster.isWorker) {
    const db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
    // A worker (also one forked to replace another) registers the licensed definitions itself.
    await loadLicensedInstruments(db);
    await loadInstrumentTranslations(db);
    return serveProcess(config, opts, db, undefined);
  }
  const started = Date.now();
  const { workers, note } = processesFor(config, opts.workers);
  const { db, demoAccounts } = await prepareDatabase(config, opts);
  await ensureWebBuilt();
  if (workers === 1) return serveProcess(config, opts, db, { started, note, demoAccounts });
  // Each worker opens its own connections.
  await db.close();
  return runWorkers(config, opts, workers, { started, note, demoAccounts });
}

/**
 * Migrations, licensed instruments and the demo registry: once, before any request. Returns
 * the open database and whether it has demo sign-ins (the startup output names them).
 */
async function prepareDatabase(
  config: Config,
  opts: StartOptions,
): Promise<{ db: Db; demoAccounts: boolean }> {
  // With MIGRATION_DATABASE_URL the owner migrates and DATABASE_URL's role only serves.
  const ownerApplied =
    config.MIGRATION_DATABASE_URL && config.DATABASE_URL
      ? await migrateAsOwner(config.MIGRATION_DATABASE_URL, config.DATABASE_URL)
      : undefined;
  const db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  try {
    const applied = ownerApplied ?? (await migrate(db));
    const licensed = await loadLicensedInstruments(db);
    if (licensed.length > 0) console.log(`Licensed instruments: ${licensed.join(', ')}`);
    const translated = await loadInstrumentTranslations(db);
    if (translated.length > 0) console.log(`Instrument translations: ${translated.join(', ')}`);
    if (applied.length) console.log(`Applied migrations: ${applied.join(', ')}`);
    const seeded = opts.demo && (await isEmptyRegistry(db));
    if (seeded) {
      console.log(
        `Seeding the demo registry (${opts.patients} invented patients, seed ${opts.seed})…`,
      );
      const summary = await seedDemoRegistry(db, {
        seed: opts.seed,
        patients: opts.patients,
        now: new Date(),
      });
      console.log(
        `Seeded ${summary.patients} patients and ${summary.responses} questionnaire responses.`,
      );
    }
    // PGlite has no autovacuum: its tables are analyzed here, and then each minute by the process.
    if (db.kind === 'pglite')
      await renewPlannerStatistics(db).catch((error) =>
        console.error('planner statistics (the views may be slow until renewed):', error),
      );
    return { db, demoAccounts: await hasDemoAccounts(db) };
  } catch (error) {
    await db.close();
    throw error;
  }
}

/** The lines a person reads once StemTrack is up (printed by one process only). */
function announce(
  config: Config,
  opts: StartOptions,
  at: { url: string; started: number; note: string; demoAccounts: boolean },
): void {
  const where = config.DATABASE_URL
    ? 'PostgreSQL (DATABASE_URL)'
    : `embedded PGlite in ${config.DATA_DIR}`;
  console.log(
    `\nStemTrack is running at ${at.url}  (database: ${where}; ${at.note}; ready in ${((Date.now() - at.started) / 1000).toFixed(1)} s)`,
  );
  const exposed = demoExposureWarning(config.HOST, at.demoAccounts);
  if (exposed) console.warn(`\n${exposed}\n`);
  if (opts.demo && at.demoAccounts) {
    console.log(
      `Demo sign-in: ${DEMO_LOGINS[0].email} / ${DEMO_PASSWORD}  (also ${DEMO_LOGINS.slice(1)
        .map((l) => `${l.email} [${l.role}]`)
        .join(', ')})`,
    );
  }
  console.log(
    config.SMTP_URL && config.MAIL_FROM && config.MAIL_KEY
      ? `Survey e-mails: on, via ${new URL(config.SMTP_URL).host}`
      : 'Survey e-mails: off (set SMTP_URL, MAIL_FROM and MAIL_KEY to send them)',
  );
  const sms = smsSettings(config);
  console.log(
    sms
      ? `Survey texts: on, via ${sms.provider.name}; quiet hours 21:00–08:00 in each patient's zone`
      : 'Survey texts: off (set SMS_PROVIDER=twilio and the TWILIO_ variables to send them)',
  );
  console.log('Press Ctrl+C to stop.');
}

function publicUrlOf(config: Config, port: number): string {
  const host = config.HOST === '0.0.0.0' ? 'localhost' : config.HOST;
  return config.PUBLIC_URL ?? `http://${host}:${port}`;
}

/**
 * The cluster's primary: forks the workers, announces once all listen on the shared port
 * (with PORT=0 the first worker's random port is every worker's), replaces a worker that dies,
 * and on SIGTERM/SIGINT stops them all.
 */
async function runWorkers(
  config: Config,
  opts: StartOptions,
  workers: number,
  at: { started: number; note: string; demoAccounts: boolean },
): Promise<void> {
  let stopping = false;
  let announced = false;
  const listening = new Set<number>();
  const fork = () => cluster.fork();
  cluster.on('listening', (worker: Worker, address) => {
    listening.add(worker.id);
    if (announced || listening.size < workers) return;
    announced = true;
    announce(config, opts, { ...at, url: publicUrlOf(config, address.port) });
  });
  cluster.on('exit', (worker: Worker, code, signal) => {
    const served = listening.delete(worker.id);
    if (stopping) return;
    if (!served) {
      // One that never listened (a bad setting, an unreachable database) would fail again.
      console.error(
        `A worker ended before it served (${signal ?? `exit code ${code}`}); stopping StemTrack.`,
      );
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
      process.exit(1);
    }
    console.error(
      `Worker ${worker.process.pid} ended (${signal ?? `exit code ${code}`}); starting another.`,
    );
    fork();
  });
  for (let i = 0; i < workers; i++) fork();
  await new Promise<void>((resolve) => {
    const stop = () => {
      if (stopping) return;
      stopping = true;
      setTimeout(() => {
        console.error('Stopped without waiting for every worker.');
        process.exit(0);
      }, STOP_WITHIN_MS + 1_000).unref();
      const all = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
      const exits = all.map((w) => new Promise((r) => (w.isDead() ? r(0) : w.once('exit', r))));
      for (const w of all) w.process.kill('SIGTERM');
      void Promise.all(exits).then(() => resolve());
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

/** One process serving requests, running jobs and renewing the views it keeps. */
async function serveProcess(
  config: Config,
  opts: StartOptions,
  db: Db,
  /** What to announce once listening; a cluster's worker leaves that to the primary. */
  announced: { started: number; note: string; demoAccounts: boolean } | undefined,
): Promise<void> {
  const mail = mailSettings(config);
  const sms = smsSettings(config);
  // PGlite runs every query on this thread: one heavy request at a time keeps the server
  // answering; PostgreSQL runs queries elsewhere, so a few may go at once.
  const heavy = new Gate(config.DATABASE_URL ? 4 : 1, 32);
  const ctx: AppContext = {
    db,
    now: () => new Date(),
    publicUrl: publicUrlOf(config, config.PORT),
    ...(mail ? { mail } : {}),
    ...(sms ? { sms } : {}),
    views: new ViewCache(Date.now, heavy),
    compute: new ComputePool(),
    heavy,
    // One process per core fills the cores already; a second statement beside one in flight
    // measured no gain with two processes (2 alternating pairs, issue 17), only with one.
    submissions: submissionBatcher(db, cluster.isWorker ? { maxInFlight: 1 } : {}),
  };
  const jobs = new JobRunner({
    db,
    now: ctx.now,
    handlers: {
      ...(mail
        ? {
            'survey-email': surveyEmailHandler(ctx, mail),
            [ACCOUNT_EMAIL_JOB]: accountEmailHandler(ctx, mail),
          }
        : {}),
      ...(sms ? { [SURVEY_SMS_JOB]: surveyTextHandler(ctx, sms) } : {}),
      ...(mail || sms ? { [AUTO_INVITE_JOB]: autoInviteHandler(ctx) } : {}),
    },
  });
  if (mail || sms) {
    await queueAutoInvite(ctx);
    jobs.start(config.JOB_POLL_SECONDS * 1000);
  }
  // A release with other thresholds recounts the dashboard sums; the views read every joint's
  // row meanwhile, so the server answers at once. Then changes are folded in the background,
  // so a dashboard read seldom waits for a fold (one round at a time).
  let folding = true;
  let foldingStopped = false;
  const folded = () => {
    folding = false;
  };
  keepDashboardSumsCurrent(db)
    .catch((error) => console.error('dashboard sums:', error))
    .finally(folded);
  const foldChanges = setInterval(() => {
    if (folding) return;
    folding = true;
    foldNotedChanges(db, { ...BACKGROUND_FOLD, stopped: () => foldingStopped })
      // A step cut short by the database closing on stop is not an error worth reporting.
      .catch((error) => foldingStopped || console.error('dashboard fold:', error))
      .finally(folded);
  }, config.FOLD_SECONDS * 1000);
  foldChanges.unref();
  // PGlite has no autovacuum, so its planner would never learn the registry's size and spread:
  // at 20,000 patients never analyzed, the worklist of those missed at 12 months took 19.5 s
  // against 39 ms. So this process analyzes as autovacuum would, each minute (and at start),
  // a table at a time with a pause between, so requests are served meanwhile.
  let analyzing = false;
  const renewStatistics = () => {
    if (analyzing) return;
    analyzing = true;
    // The background fold's pause between steps: the same 10 ms for requests.
    renewPlannerStatistics(db, BACKGROUND_FOLD.pause)
      .catch((error) => foldingStopped || console.error('planner statistics:', error))
      .finally(() => {
        analyzing = false;
      });
  };
  const checkStatistics =
    db.kind === 'pglite' ? setInterval(renewStatistics, STATISTICS_CHECK_MS) : undefined;
  checkStatistics?.unref();
  // Dashboard views opened lately are renewed soon after the registry changes, so the next
  // look finds them computed; a failed renewal only means the next look computes it.
  const renewViews = setInterval(() => {
    ctx.views.refresh().catch((error) => console.error('dashboard refresh:', error));
  }, config.VIEW_REFRESH_SECONDS * 1000);
  renewViews.unref();
  const app = createHttpApp(ctx, { tls: config.TLS, webRoot: WEB_ROOT });
  const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, (info) => {
    // With PORT=0 the system picks the port, so survey links can only be formed now.
    ctx.publicUrl = publicUrlOf(config, info.port);
    if (announced) announce(config, opts, { ...announced, url: ctx.publicUrl });
  });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    // A request or a database call that will not finish must not keep the process up.
    setTimeout(() => {
      console.error('Stopped without waiting for work still running.');
      process.exit(0);
    }, STOP_WITHIN_MS).unref();
    clearInterval(renewViews);
    clearInterval(foldChanges);
    clearInterval(checkStatistics);
    foldingStopped = true;
    ctx.views.stop();
    void jobs.stop();
    void ctx.compute?.close();
    // Requests in flight get a moment to finish; idle keep-alive connections are closed now,
    // and any still open after that are cut, so the database can close cleanly.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    if ('closeIdleConnections' in server) server.closeIdleConnections();
    const grace = new Promise<void>((resolve) => setTimeout(resolve, STOP_WITHIN_MS / 2).unref());
    void Promise.race([closed, grace])
      .then(() => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        return db.close();
      })
      .catch(() => undefined)
      .finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await new Promise<void>((resolve) => server.once('close', () => resolve()));
}

function smsSettings(config: Config): SmsSettings | undefined {
  if (
    config.SMS_PROVIDER !== 'twilio' ||
    !config.TWILIO_ACCOUNT_SID ||
    !config.TWILIO_AUTH_TOKEN ||
    !config.MAIL_KEY
  )
    return undefined;
  return {
    provider: twilioProvider({
      accountSid: config.TWILIO_ACCOUNT_SID,
      authToken: config.TWILIO_AUTH_TOKEN,
      ...(config.TWILIO_FROM ? { from: config.TWILIO_FROM } : {}),
      ...(config.TWILIO_MESSAGING_SERVICE_SID
        ? { messagingServiceSid: config.TWILIO_MESSAGING_SERVICE_SID }
        : {}),
      baseUrl: config.TWILIO_API_URL,
    }),
    key: Buffer.from(config.MAIL_KEY, 'hex'),
    reminders: config.SMS_REMINDERS,
    reminderEveryDays: config.MAIL_REMINDER_EVERY_DAYS,
    defaultTimeZone: config.SMS_TIME_ZONE,
  };
}

function mailSettings(config: Config): MailSettings | undefined {
  if (!config.SMTP_URL || !config.MAIL_FROM || !config.MAIL_KEY) return undefined;
  return {
    key: Buffer.from(config.MAIL_KEY, 'hex'),
    from: config.MAIL_FROM,
    send: smtpSender(config.SMTP_URL),
    reminders: config.MAIL_REMINDERS,
    reminderEveryDays: config.MAIL_REMINDER_EVERY_DAYS,
  };
}
