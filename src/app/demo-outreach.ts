import { randomUUID } from 'node:crypto';
import { demoContactDetails, demoOutreach } from '../core/demo/outreach.ts';
import { seededRng } from '../core/demo/random.ts';
import { addDays, type IsoDate } from '../core/registry/dates.ts';
import { DEFAULT_SCHEDULE, followUpWindow } from '../core/schedule/timepoints.ts';
import type { Queryable } from '../store/db.ts';
import { type DemoOutreachRows, insertDemoOutreach } from '../store/demo-outreach.repo.ts';
import { digestToken, newSecretToken } from './follow-up/tokens.ts';

/** One demo joint as the registry rows have it, with its answered links. */
export interface DemoJoint {
  index: number;
  siteIndex: number;
  siteId: string;
  patientId: string;
  episodeId: string;
  treatmentDate: IsoDate;
  instruments: string[];
  answered: { assignmentId: string; timepoint: string; submittedOn: IsoDate }[];
}

const dayAt = (day: IsoDate) => `${day}T09:00:00Z`;

/**
 * SIMULATED outreach for the demo (core/demo/outreach.ts): contact details, how each answered
 * survey was asked for and answered, and links for reached time points left unanswered (open
 * ones fill the call list). Its own random stream, so the rest of the demo stays as it was.
 */
export async function seedDemoOutreach(
  q: Queryable,
  joints: readonly DemoJoint[],
  today: IsoDate,
  clinicianBySite: readonly (string | undefined)[],
): Promise<void> {
  const rows: DemoOutreachRows = { identities: [], assignments: [], contacts: [], modes: [] };
  for (const j of joints) {
    const rng = seededRng(0x0f0e + j.index * 7919);
    const details = demoContactDetails(rng, j.index, j.siteIndex);
    rows.identities.push({
      patient_id: j.patientId,
      mobile: details.mobile,
      sms_consent: details.smsConsent,
      time_zone: details.timeZone,
      language: details.language,
      preferred_call_time: details.preferredCallTime,
    });
    const texts = details.smsConsent === 'opted-in';
    const staff = clinicianBySite[j.siteIndex] ?? null;
    const contactsOf = (
      assignmentId: string,
      invitedOn: IsoDate,
      plan: ReturnType<typeof demoOutreach>,
    ) => {
      for (const c of plan.contacts) {
        const on = addDays(invitedOn, c.day);
        if (on > today) continue;
        rows.contacts.push({
          site_id: j.siteId,
          patient_id: j.patientId,
          assignment_id: assignmentId,
          channel: c.channel,
          step: c.step,
          at: dayAt(on),
          delivery: c.channel === 'sms' ? 'delivered' : null,
          outcome: c.outcome ?? null,
          user_id: c.channel === 'phone' ? staff : null,
        });
      }
    };
    for (const a of j.answered) {
      const plan = demoOutreach(rng, true, texts);
      contactsOf(a.assignmentId, addDays(a.submittedOn, -(plan.answeredDay ?? 0)), plan);
      const mode = plan.mode ?? 'web-email';
      rows.modes.push({
        assignment_id: a.assignmentId,
        mode,
        // Staff enter phone interviews and paper forms; on the tablet the patient answers.
        entered_by: mode === 'phone' || mode === 'paper' ? staff : null,
      });
    }
    // Reached time points without an answer: the link went out on the target date.
    const answered = new Set(j.answered.map((a) => a.timepoint));
    for (const tp of DEFAULT_SCHEDULE) {
      const window = followUpWindow(j.treatmentDate, tp);
      if (window.opens > today || answered.has(tp.id) || tp.id === 'baseline') continue;
      // In the demo a link goes out on the target date: an open window before it has none
      // yet, and is left for the clinic to issue from its worklist.
      if (window.target > today) continue;
      const id = randomUUID();
      rows.assignments.push({
        id,
        site_id: j.siteId,
        patient_id: j.patientId,
        episode_id: j.episodeId,
        timepoint: tp.id,
        instruments: j.instruments,
        window_target: window.target,
        window_opens: window.opens,
        window_closes: window.closes,
        token_digest: digestToken(newSecretToken()),
        expires_at: `${addDays(window.closes, 30)}T00:00:00Z`,
      });
      contactsOf(id, window.target, demoOutreach(rng, false, texts));
    }
  }
  await insertDemoOutreach(q, rows);
}
