import { z } from 'zod';

/** Every setting StemTrack reads from the environment, parsed once. Nothing else reads process.env. */
const configSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().default('127.0.0.1'),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
      .optional(),
    DATA_DIR: z.string().default('./data'),
    /** Base URL people reach StemTrack at; survey links start with it. */
    PUBLIC_URL: z.url().optional(),
    /** Set when StemTrack is served over HTTPS (directly or behind a TLS proxy): secure cookies and HSTS. */
    TLS: z
      .enum(['true', 'false', '1', '0'])
      .default('false')
      .transform((v) => v === 'true' || v === '1'),
    /** smtp://user:pass@host:587 or smtps://…: survey invitations and reminders by e-mail. */
    SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
      .optional(),
    MAIL_FROM: z.string().min(3).optional(),
    /** 64 hex characters (32 bytes): seals queued survey links, signs unsubscribe links. */
    MAIL_KEY: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters')
      .optional(),
    MAIL_REMINDERS: z.coerce.number().int().min(0).max(5).default(2),
    MAIL_REMINDER_EVERY_DAYS: z.coerce.number().int().min(1).max(60).default(7),
    /** How often dashboard views opened lately are renewed after a change (seconds). */
    VIEW_REFRESH_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  })
  .superRefine((c, ctx) => {
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
  const result = configSchema.safeParse(given);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(
      `StemTrack cannot start; fix these environment variables:\n${lines.join('\n')}`,
    );
  }
  return Object.freeze(result.data);
}
