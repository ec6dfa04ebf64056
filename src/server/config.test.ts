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
      JOB_POLL_SECONDS: 30,
    });
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
