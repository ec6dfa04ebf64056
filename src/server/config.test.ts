import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('has defaults for a laptop', () => {
    expect(loadConfig({})).toEqual({
      PORT: 3000,
      HOST: '127.0.0.1',
      DATA_DIR: './data',
      TLS: false,
      MAIL_REMINDERS: 2,
      MAIL_REMINDER_EVERY_DAYS: 7,
      VIEW_REFRESH_SECONDS: 30,
      FOLD_SECONDS: 2,
      // Texts are off: no SMS_PROVIDER. These only say where and when, once turned on.
      TWILIO_API_URL: 'https://api.twilio.com',
      SMS_TIME_ZONE: 'UTC',
      SMS_REMINDERS: 2,
      JOB_POLL_SECONDS: 30,
    });
  });

  it('needs the Twilio account, a sender and the sealing key when texts are on', () => {
    expect(() => loadConfig({ SMS_PROVIDER: 'twilio' })).toThrow(
      /TWILIO_ACCOUNT_SID: is required[\s\S]*TWILIO_AUTH_TOKEN: is required[\s\S]*MAIL_KEY: is required[\s\S]*TWILIO_FROM: or TWILIO_MESSAGING_SERVICE_SID/,
    );
    expect(() => loadConfig({ SMS_PROVIDER: 'nexmo' })).toThrow(/SMS_PROVIDER: must be twilio/);
    expect(() => loadConfig({ SMS_TIME_ZONE: 'Moon/Base' })).toThrow(
      /SMS_TIME_ZONE: must be an IANA time zone/,
    );
    expect(() => loadConfig({ TWILIO_FROM: '07400 123456' })).toThrow(/TWILIO_FROM: must be/);
    const on = loadConfig({
      SMS_PROVIDER: 'twilio',
      TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`,
      TWILIO_AUTH_TOKEN: 'x'.repeat(32),
      TWILIO_FROM: '+15005550006',
      MAIL_KEY: 'ab'.repeat(32),
      SMS_TIME_ZONE: 'Europe/London',
    });
    expect(on).toMatchObject({ SMS_PROVIDER: 'twilio', SMS_TIME_ZONE: 'Europe/London' });
  });

  it('needs a sender and a key when SMTP is configured', () => {
    expect(() => loadConfig({ SMTP_URL: 'smtp://mail.example:587' })).toThrow(
      /MAIL_FROM: is required when SMTP_URL is set[\s\S]*MAIL_KEY: is required/,
    );
    expect(() =>
      loadConfig({ SMTP_URL: 'smtp://m', MAIL_FROM: 'a@b.example', MAIL_KEY: 'abc' }),
    ).toThrow(/MAIL_KEY: must be 64 hex characters/);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: ' ' }).DATABASE_URL).toBeUndefined();
  });

  it('lists every bad variable in one message', () => {
    expect(() => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', TLS: 'maybe' })).toThrow(
      /PORT[\s\S]*DATABASE_URL: must start with postgres:\/\/[\s\S]*TLS/,
    );
  });
});
