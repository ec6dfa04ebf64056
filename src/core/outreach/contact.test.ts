import { describe, expect, it } from 'vitest';
import { isLanguageTag } from '../registry/language.ts';
import { parseInput } from '../validation.ts';
import { checkMobile, isTimeZone, patientContactSchema } from './contact.ts';
import { localTime, nextSendTime } from './quiet-hours.ts';

describe('mobile numbers', () => {
  it('stores a mobile as E.164, from international or national form', () => {
    expect(checkMobile('+44 7400 123456')).toEqual({ ok: true, e164: '+447400123456' });
    expect(checkMobile('07400 123456', 'GB')).toEqual({ ok: true, e164: '+447400123456' });
    expect(checkMobile('+33 6 12 34 56 78')).toEqual({ ok: true, e164: '+33612345678' });
    // North American numbers do not tell mobiles from landlines: accepted.
    expect(checkMobile('+1 213 373 4253')).toEqual({ ok: true, e164: '+12133734253' });
    // Ofcom's drama range, which the demo registry uses: allocated to nobody.
    expect(checkMobile('+44 7700 900123')).toEqual({ ok: true, e164: '+447700900123' });
    expect(checkMobile('07700 900999', 'GB')).toEqual({ ok: true, e164: '+447700900999' });
  });
  it('refuses landlines, invalid numbers, text and national numbers without a country', () => {
    expect(checkMobile('+44 20 7946 0000')).toMatchObject({
      ok: false,
      message: expect.stringContaining('not a mobile'),
    });
    expect(checkMobile('+44 7400 12')).toMatchObject({
      ok: false,
      message: 'This is not a valid phone number',
    });
    expect(checkMobile('+44 7700 901123')).toMatchObject({ ok: false });
    expect(checkMobile('call me')).toMatchObject({ ok: false });
    expect(checkMobile('07400 123456')).toMatchObject({
      ok: false,
      message: expect.stringContaining('country code'),
    });
  });
});

describe('time zones and language tags', () => {
  it('knows IANA zones and BCP 47 tags', () => {
    expect(isTimeZone('Europe/London')).toBe(true);
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isTimeZone('')).toBe(false);
    expect(isLanguageTag('pt-BR')).toBe(true);
    expect(isLanguageTag('zh-Hant-TW')).toBe(true);
    expect(isLanguageTag('english')).toBe(false);
    expect(isLanguageTag('en_GB')).toBe(false);
  });
  it('names every bad field of a contact record at once', () => {
    const attempt = () =>
      parseInput(patientContactSchema, {
        mobile: '+44 20 7946 0000',
        smsConsent: 'opted-in',
        timeZone: 'Nowhere/Land',
        language: '??',
        preferredCallTime: '',
      });
    expect(attempt).toThrow(
      expect.objectContaining({
        fields: [
          expect.objectContaining({ field: 'mobile' }),
          expect.objectContaining({ field: 'timeZone' }),
          expect.objectContaining({ field: 'language' }),
        ],
      }),
    );
  });
});

describe('quiet hours', () => {
  it('sends in the day and waits from 21:00 until 08:00 in the patient’s zone', () => {
    const noonLondon = new Date('2026-08-20T11:00:00Z');
    expect(nextSendTime(noonLondon, 'Europe/London')).toEqual(noonLondon);
    // 22:30 in London (BST) → 08:00 next morning, 07:00 UTC.
    expect(nextSendTime(new Date('2026-08-20T21:30:00Z'), 'Europe/London').toISOString()).toBe(
      '2026-08-21T07:00:00.000Z',
    );
    // 06:15 in Auckland (NZST, +12) → 08:00 the same morning.
    expect(nextSendTime(new Date('2026-08-19T18:15:00Z'), 'Pacific/Auckland').toISOString()).toBe(
      '2026-08-19T20:00:00.000Z',
    );
    // 21:00 exactly is quiet; 08:00 exactly is not.
    expect(nextSendTime(new Date('2026-01-10T21:00:00Z'), 'UTC').toISOString()).toBe(
      '2026-01-11T08:00:00.000Z',
    );
    const eight = new Date('2026-01-10T08:00:00Z');
    expect(nextSendTime(eight, 'UTC')).toEqual(eight);
  });
  it('places a reminder at a local hour, in winter and summer time', () => {
    expect(localTime('2026-08-20', 10, 'Europe/London').toISOString()).toBe(
      '2026-08-20T09:00:00.000Z',
    );
    expect(localTime('2026-01-20', 10, 'Europe/London').toISOString()).toBe(
      '2026-01-20T10:00:00.000Z',
    );
    expect(localTime('2026-01-20', 10, 'America/New_York').toISOString()).toBe(
      '2026-01-20T15:00:00.000Z',
    );
  });
});
