import { describe, expect, it } from 'vitest';
import { demoContactDetails, demoOutreach } from './outreach.ts';
import { seededRng } from './random.ts';

describe('the demo’s simulated outreach', () => {
  it('uses every mode, answers a text only with texts on, and contacts before the answer', () => {
    const rng = seededRng(3);
    const modes = new Set<string>();
    for (let i = 0; i < 400; i++) {
      const texts = i % 2 === 0;
      const o = demoOutreach(rng, true, texts);
      modes.add(o.mode ?? '');
      if (!texts) expect(o.mode).not.toBe('web-sms');
      for (const c of o.contacts) expect(c.day).toBeLessThanOrEqual(o.answeredDay ?? 0);
      expect(o.contacts.some((c) => c.channel === 'sms')).toBe(texts);
    }
    expect(modes).toEqual(new Set(['web-email', 'web-sms', 'phone', 'paper', 'tablet']));
    const unanswered = demoOutreach(seededRng(4), false, true);
    expect(unanswered.mode).toBeUndefined();
    expect(unanswered.contacts.filter((c) => c.channel === 'email').map((c) => c.step)).toEqual([
      0, 1, 2,
    ]);
  });
  it('gives invented mobiles in the range kept for drama, and consent only with a mobile', () => {
    const rng = seededRng(9);
    for (let i = 0; i < 200; i++) {
      const d = demoContactDetails(rng, i, i % 2);
      if (d.mobile) expect(d.mobile).toMatch(/^\+447700900\d{3}$/);
      else expect(d.smsConsent).toBe('none');
    }
  });
});
