import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { ACCOUNT_EMAIL_JOB, accountEmailHandler } from '../app/access/account-mail.ts';
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
import { loadLicensedInstruments } from '../app/instruments.ts';
import { migrateAsOwner } from '../app/migrate.ts';
import { JobRunner } from '../jobs/runner.ts';
import { smtpSender } from '../jobs/smtp.ts';
import { twilioProvider } from '../jobs/twilio.ts';
import { createHttpApp } from '../server/app.ts';
import type { Config } from '../server/config.ts';
import { openDatabase } from '../store/db.ts';
import { migrate } from '../store/migrate.ts';

/** On SIGTERM/SIGINT the process is gone within this, whatever was running. */
const STOP_WITHIN_MS = 4_000;

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

export async function startServer(
  config: Config,
  opts: { demo: boolean; patients: number; seed: number },
): Promise<void> {
  const started = Date.now();
  // With MIGRATION_DATABASE_URL the owner migrates and DATABASE_URL's role only serves.
  const ownerApplied =
    config.MIGRATION_DATABASE_URL && config.DATABASE_URL
      ? await migrateAsOwner(config.MIGRATION_DATABASE_URL, config.DATABASE_URL)
      : undefined;
  const db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  const applied = ownerApplied ?? (await migrate(db));
  const licensed = await loadLicensedInstruments(db);
  if (licensed.length > 0) console.log(`Licensed instruments: ${licensed.join(', ')}`);
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
  await ensureWebBuilt();
  const host = config.HOST === '0.0.0.0' ? 'localhost' : config.HOST;
  const mail = mailSettings(config);
  const sms = smsSettings(config);
  // PGlite runs every query on this thread: one heavy request at a time keeps the server
  // answering; PostgreSQL runs queries elsewhere, so a few may go at once.
  const heavy = new Gate(config.DATABASE_URL ? 4 : 1, 32);
  const ctx: AppContext = {
    db,
    now: () => new Date(),
    publicUrl: config.PUBLIC_URL ?? `http://${host}:${config.PORT}`,
    ...(mail ? { mail } : {}),
    ...(sms ? { sms } : {}),
    views: new ViewCache(Date.now, heavy),
    compute: new ComputePool(),
    heavy,
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
    jobs.start(30_000);
  }
  // Dashboard views opened lately are renewed soon after the registry changes, so the next
  // look finds them computed; a failed renewal only means the next look computes it.
  const renewViews = setInterval(() => {
    ctx.views.refresh().catch((error) => console.error('dashboard refresh:', error));
  }, config.VIEW_REFRESH_SECONDS * 1000);
  renewViews.unref();
  const demoAccounts = await hasDemoAccounts(db);
  const app = createHttpApp(ctx, { tls: config.TLS, webRoot: WEB_ROOT });
  const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, (info) => {
    // With PORT=0 the system picks the port, so survey links can only be formed now.
    ctx.publicUrl = config.PUBLIC_URL ?? `http://${host}:${info.port}`;
    const url = ctx.publicUrl;
    const where = config.DATABASE_URL
      ? 'PostgreSQL (DATABASE_URL)'
      : `embedded PGlite in ${config.DATA_DIR}`;
    console.log(
      `\nStemTrack is running at ${url}  (database: ${where}; ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`,
    );
    const exposed = demoExposureWarning(config.HOST, demoAccounts);
    if (exposed) console.warn(`\n${exposed}\n`);
    if (opts.demo && demoAccounts) {
      console.log(
        `Demo sign-in: ${DEMO_LOGINS[0].email} / ${DEMO_PASSWORD}  (also ${DEMO_LOGINS.slice(1)
          .map((l) => `${l.email} [${l.role}]`)
          .join(', ')})`,
      );
    }
    console.log(
      mail
        ? `Survey e-mails: on, via ${new URL(config.SMTP_URL ?? '').host}`
        : 'Survey e-mails: off (set SMTP_URL, MAIL_FROM and MAIL_KEY to send them)',
    );
    console.log(
      sms
        ? `Survey texts: on, via ${sms.provider.name}; quiet hours 21:00–08:00 in each patient's zone`
        : 'Survey texts: off (set SMS_PROVIDER=twilio and the TWILIO_ variables to send them)',
    );
    console.log('Press Ctrl+C to stop.');
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
