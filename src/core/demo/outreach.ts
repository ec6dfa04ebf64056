import type { CallOutcome, Mode, SmsConsent } from '../outreach/modes.ts';
import { pickWeighted, type Rng } from './random.ts';

/*
 * SIMULATED outreach for the demo registry: who has a mobile and texts, and how each survey
 * was asked for and answered. The shares are shaped after published figures so the Follow-up
 * page looks plausible; they describe no real clinic and are not estimates of anything.
 */

/**
 * Of the answers, the share that come without staff effort (web, from an e-mail or text link).
 * Shaped after PMC6545294: automated e-mail alone reached 44% complete data, against 76% with
 * staff effort added, so about 44/76 of answers need no call, paper or tablet.
 */
const WEB_SHARE_OF_ANSWERS = 44 / 76;
/**
 * A text reminder brought back 51.1% of non-responders against 34.5% without one (randomised
 * trial of joint-replacement PROMs, cited in issue 15); in the demo a patient with texts on
 * answers a reminder from the text's link in this share of web answers after a reminder.
 */
const SMS_REMINDER_SHARE = 51.1 / (51.1 + 34.5);
/** Invented for the demo, not from a source: texts at the invitation, channel mix, languages. */
const SMS_INVITATION_SHARE = 0.4;
const HAS_MOBILE = 0.7;
const SMS_OPT_IN = 0.8;

export interface DemoContactDetails {
  mobile: string | null;
  smsConsent: SmsConsent;
  timeZone: string;
  language: string;
  preferredCallTime: string | null;
}

/** A patient's invented contact details; mobiles in the UK range Ofcom keeps for fiction. */
export function demoContactDetails(rng: Rng, index: number, siteIndex: number): DemoContactDetails {
  const hasMobile = rng.next() < HAS_MOBILE;
  const optedIn = hasMobile && rng.next() < SMS_OPT_IN;
  return {
    // +44 7700 900000–900999 is Ofcom's drama range: never a real phone.
    mobile: hasMobile ? `+447700900${String(index % 1000).padStart(3, '0')}` : null,
    smsConsent: optedIn ? 'opted-in' : hasMobile && rng.next() < 0.5 ? 'opted-out' : 'none',
    timeZone: siteIndex === 1 ? 'Europe/Dublin' : 'Europe/London',
    language: pickWeighted(rng, [
      ['en', 85],
      ['es', 7],
      ['fr', 4],
      ['pt-BR', 4],
    ] as const),
    preferredCallTime: pickWeighted(rng, [
      [null, 40],
      ['Weekday mornings', 25],
      ['After 17:00', 25],
      ['Weekends', 10],
    ] as const),
  };
}

export interface DemoContactPlan {
  channel: 'email' | 'sms' | 'phone';
  step: number;
  /** Days after the invitation. */
  day: number;
  outcome?: CallOutcome;
}

export interface DemoOutreach {
  contacts: DemoContactPlan[];
  /** How the survey was answered; undefined when it was not. */
  mode?: Mode;
  /** Days after the invitation the answer came; undefined when it was not answered. */
  answeredDay?: number;
}

/** Invitation and two reminders a week apart, by e-mail and, with consent, by text. */
function messages(upTo: number, texts: boolean): DemoContactPlan[] {
  const plan: DemoContactPlan[] = [];
  for (let step = 0; step <= upTo; step++) {
    plan.push({ channel: 'email', step, day: step * 7 });
    if (texts) plan.push({ channel: 'sms', step, day: step * 7 });
  }
  return plan;
}

/** How one survey of the demo was asked for and, when `answered`, how it was answered. */
export function demoOutreach(rng: Rng, answered: boolean, texts: boolean): DemoOutreach {
  if (!answered) {
    // Every message went out, and about half got a call that did not end in an answer.
    const calls: DemoContactPlan[] =
      rng.next() < 0.5
        ? [
            {
              channel: 'phone',
              step: 0,
              day: 17,
              outcome: pickWeighted(rng, [
                ['voicemail', 60],
                ['wrong-number', 15],
                ['declined', 10],
                ['reached', 15],
              ] as const),
            },
          ]
        : [];
    return { contacts: [...messages(2, texts), ...calls] };
  }
  if (rng.next() < WEB_SHARE_OF_ANSWERS) {
    const step = pickWeighted(rng, [
      [0, 55],
      [1, 30],
      [2, 15],
    ] as const);
    const bySms = texts && rng.next() < (step === 0 ? SMS_INVITATION_SHARE : SMS_REMINDER_SHARE);
    return {
      contacts: messages(step, texts),
      mode: bySms ? 'web-sms' : 'web-email',
      answeredDay: step * 7 + 1,
    };
  }
  // Staff effort after the reminders ran out: a call (with voicemails before the one that
  // reached them), a paper form, or the clinic tablet at a visit.
  const mode = pickWeighted(rng, [
    ['phone', 70],
    ['paper', 15],
    ['tablet', 15],
  ] as const);
  const calls: DemoContactPlan[] = [];
  if (mode === 'phone') {
    const tries = pickWeighted(rng, [
      [1, 60],
      [2, 30],
      [3, 10],
    ] as const);
    for (let n = 0; n < tries; n++)
      calls.push({
        channel: 'phone',
        step: n,
        day: 17 + n * 2,
        outcome: n === tries - 1 ? 'reached' : 'voicemail',
      });
  }
  return {
    contacts: [...messages(2, texts), ...calls],
    mode,
    answeredDay: mode === 'phone' ? 17 + (calls.length - 1) * 2 : 20,
  };
}
