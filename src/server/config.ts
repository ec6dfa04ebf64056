import { z } from 'zod';
import { isTimeZone } from '../core/outreach/contact.ts';
import { inWords } from '../core/validation.ts';

const wholeNumber = (min: number, max: number) => {
  const message = `must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ error: message }).int(message).min(min, message).max(max, message);
};

/** Every setting StemTrack reads from the environment, parsed once. Nothing else reads process.env. */
const configSchema = z
  .object({
    PORT: z.coerce
      .number({ error: 'must be a port number from 0 to 65535' })
      .int('must be a port number from 0 to 65535')
      .min(0, 'must be a port number from 0 to 65535')
      .max(65535, 'must be a port number from 0 to 65535')
      .default(3000),
    HOST: z.string().default('127.0.0.1'),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
      .optional(),
    /**
     * PostgreSQL as the role that owns the tables, used only to migrate (and restore); then
     * DATABASE_URL's role, which owns nothing, serves and may only append to the audit log.
     */
    MIGRATION_DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
      .optional(),
    DATA_DIR: z.string().default('./data'),
    /** Base URL people reach StemTrack at; survey links start with it. */
    PUBLIC_URL: z
      .url({ error: 'must be a full URL such as https://registry.example.org' })
      .optional(),
    /** Set when StemTrack is served over HTTPS (directly or behind a TLS proxy): secure cookies and HSTS. */
    TLS: z
      .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
      .default('false')
      .transform((v) => v === 'true' || v === '1'),
    /** smtp://user:pass@host:587 or smtps://…: survey invitations and reminders by e-mail. */
    SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
      .optional(),
    MAIL_FROM: z
      .string()
      .min(3, 'must be an e-mail address such as registry@clinic.example')
      .optional(),
    /** 64 hex characters (32 bytes): seals queued survey links, signs unsubscribe links. */
    MAIL_KEY: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters')
      .optional(),
    /** 64 hex characters (32 bytes): signs backups (HMAC-SHA256); needed by backup and restore. */
    BACKUP_KEY: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters (openssl rand -hex 32)')
      .optional(),
    /**
     * twilio: survey invitations and reminders also by text message, to patients with a
     * mobile number who opted in. Off when not set. Needs MAIL_KEY (it seals queued links).
     */
    SMS_PROVIDER: z.enum(['twilio'], { error: 'must be twilio (or not set)' }).optional(),
    /** The Twilio account (AC followed by 32 hex characters) and its Auth Token. */
    TWILIO_ACCOUNT_SID: z
      .string()
      .regex(/^AC[0-9a-fA-F]{32}$/, 'must be AC followed by 32 hex characters')
      .optional(),
    TWILIO_AUTH_TOKEN: z.string().min(16, 'must be the account’s Auth Token').optional(),
    /** The sending number in E.164 (+14155550100), or instead TWILIO_MESSAGING_SERVICE_SID. */
    TWILIO_FROM: z
      .string()
      .regex(/^\+[1-9][0-9]{6,14}$/, 'must be a number in E.164 such as +14155550100')
      .optional(),
    TWILIO_MESSAGING_SERVICE_SID: z
      .string()
      .regex(/^MG[0-9a-fA-F]{32}$/, 'must be MG followed by 32 hex characters')
      .optional(),
    /** Where Twilio's REST API is; a local stand-in in tests. */
    TWILIO_API_URL: z
      .url({ error: 'must be a full URL such as https://api.twilio.com' })
      .default('https://api.twilio.com'),
    /** Quiet hours (no texts 21:00–08:00) are kept in the patient's zone, else in this one. */
    SMS_TIME_ZONE: z
      .string()
      .refine(isTimeZone, 'must be an IANA time zone such as Europe/London')
      .default('UTC'),
    SMS_REMINDERS: wholeNumber(0, 5).default(2),
    MAIL_REMINDERS: wholeNumber(0, 5).default(2),
    MAIL_REMINDER_EVERY_DAYS: wholeNumber(1, 60).default(7),
    /** How often dashboard views opened lately are renewed after a change (seconds). */
    VIEW_REFRESH_SECONDS: wholeNumber(1, 3600).default(30),
    /** How often each process folds registry changes into the dashboard sums (seconds). */
    FOLD_SECONDS: wholeNumber(1, 3600).default(2),
    /** How often each process looks for due jobs (e-mails, the daily round), in seconds. */
    JOB_POLL_SECONDS: wholeNumber(1, 3600).default(30),
  })
  .superRefine((c, ctx) => {
    if (c.MIGRATION_DATABASE_URL && !c.DATABASE_URL)
      ctx.addIssue({
        code: 'custom',
        path: ['DATABASE_URL'],
        message: 'is required when MIGRATION_DATABASE_URL is set (the role that serves)',
      });
    if (c.SMS_PROVIDER === 'twilio') {
      for (const key of ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'MAIL_KEY'] as const)
        if (!c[key])
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: 'is required when SMS_PROVIDER is twilio',
          });
      if (!c.TWILIO_FROM && !c.TWILIO_MESSAGING_SERVICE_SID)
        ctx.addIssue({
          code: 'custom',
          path: ['TWILIO_FROM'],
          message: 'or TWILIO_MESSAGING_SERVICE_SID is required when SMS_PROVIDER is twilio',
        });
    }
    if (!c.SMTP_URL) return;
    for (const key of ['MAIL_FROM', 'MAIL_KEY'] as const)
      if (!c[key])
        ctx.addIssue({ code: 'custom', path: [key], message: 'is required when SMTP_URL is set' });
  });

export type Config = Readonly<z.infer<typeof configSchema>>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // `DATABASE_URL=` in a shell means "not set", not "set to nothing".
  const given = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''),
  );
  const result = configSchema.safeParse(given, { error: inWords });
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(
      `StemTrack cannot start; fix these environment variables:\n${lines.join('\n')}`,
    );
  }
  return Object.freeze(result.data);
}
