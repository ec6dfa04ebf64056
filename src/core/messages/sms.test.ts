import { describe, expect, it } from 'vitest';
import { replyKeyword, smsText } from './sms.ts';

describe('text message wording', () => {
  it('names only the clinic and the link, with how to stop', () => {
    const text = smsText('en', 'invitation', {
      clinicName: 'Harbour',
      link: 'https://r.example/s/abc?via=sms',
    });
    expect(text).toBe(
      'Harbour asks you to answer a short questionnaire: https://r.example/s/abc?via=sms Reply STOP to stop these texts.',
    );
  });
  it('falls back from a regional tag to its language, then to English', () => {
    const vars = { clinicName: 'C', link: 'L' };
    expect(smsText('en-GB', 'reminder', vars)).toBe(smsText('en', 'reminder', vars));
    expect(smsText('xx', 'reminder', vars)).toBe(smsText('en', 'reminder', vars));
  });
  it('speaks the patient’s language but keeps the STOP keyword and the link as they are', () => {
    const text = smsText('en-XA', 'invitation', {
      clinicName: 'Harbour',
      link: 'https://r.example/s/abc',
    });
    expect(text).toMatch(/^\[Harbour .*https:\/\/r\.example\/s\/abc .*STOP.*\]$/);
    expect(text).not.toContain('questionnaire');
  });
});

describe('reply keywords', () => {
  it("reads Twilio's opt-out and opt-in words, the whole reply only, in any case", () => {
    for (const word of [
      'STOP',
      'stop',
      ' Unsubscribe ',
      'cancel',
      'END',
      'quit',
      'STOPALL',
      'revoke',
      'optout',
    ])
      expect(replyKeyword(word)).toBe('stop');
    for (const word of ['START', 'yes', 'Unstop']) expect(replyKeyword(word)).toBe('start');
    expect(replyKeyword('Stop texting me')).toBeNull();
    expect(replyKeyword('help')).toBeNull();
  });
});
