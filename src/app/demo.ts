import { randomUUID } from 'node:crypto';
import { generateDemoRegistry } from '../core/demo/generate.ts';
import { seededRng } from '../core/demo/random.ts';
import { defaultInstrumentsFor, instrumentById } from '../core/instruments/library.ts';
import { scoreResponse } from '../core/instruments/scoring.ts';
import { productDose } from '../core/registry/characterisation.ts';
import { addDays, toIsoDate } from '../core/registry/dates.ts';
import { followUpWindow, isWithinWindow, timePointById } from '../core/schedule/timepoints.ts';
import { hasRegistryFlag, setRegistryFlag } from '../store/access.repo.ts';
import { appendAudit } from '../store/audit.repo.ts';
import type { Db } from '../store/db.ts';
import { insertRegistryRows, type RegistryRows } from '../store/demo.repo.ts';
import { countUsers } from '../store/users.repo.ts';
import { createUser } from './access/auth.ts';
import { type DemoJoint, seedDemoOutreach } from './demo-outreach.ts';
import { digestToken, newSecretToken } from './follow-up/tokens.ts';

/** Demo accounts; the password is printed by `stemtrack start`, as the data is all invented. */
export const DEMO_PASSWORD = 'stemtrack-demo';
export const DEMO_LOGINS = [
  { site: 0, email: 'clinician@harbour.example', name: 'Dr Demo Harbour', role: 'clinician' },
  { site: 0, email: 'admin@harbour.example', name: 'Admin Demo Harbour', role: 'admin' },
  { site: 0, email: 'researcher@harbour.example', name: 'Researcher Demo', role: 'researcher' },
  { site: 1, email: 'clinician@northside.example', name: 'Dr Demo Northside', role: 'clinician' },
] as const;

export interface DemoSummary {
  patients: number;
  responses: number;
  sites: string[];
}

const DEMO_FLAG = 'demo-registry';

/** True only for a registry `start --demo` seeded: demo accounts exist nowhere else. */
export function hasDemoAccounts(db: Db): Promise<boolean> {
  return hasRegistryFlag(db, DEMO_FLAG);
}

/**
 * The loud warning for a demo registry reachable from other machines: its accounts' password
 * is printed and published, so anyone on the network can sign in.
 */
export function demoExposureWarning(host: string, demoAccounts: boolean): string | undefined {
  const loopback = host === 'localhost' || host === '::1' || /^127\./.test(host);
  if (!demoAccounts || loopback) return undefined;
  const bar = '!'.repeat(78);
  return [
    bar,
    `!! WARNING: demo accounts are enabled and StemTrack listens on ${host}, not only on this machine.`,
    '!! Their password is published: anyone who can reach this address can sign in.',
    '!! Use HOST=127.0.0.1 for a demo, or a registry without --demo for real use.',
    bar,
  ].join('\n');
}

export async function isEmptyRegistry(db: Db): Promise<boolean> {
  return (await countUsers(db)) === 0;
}

/** Seeds the synthetic registry and demo users in one transaction: all of it or none. */
export async function seedDemoRegistry(
  db: Db,
  opts: { seed: number; patients: number; now: Date },
): Promise<DemoSummary> {
  const today = toIsoDate(opts.now);
  const registry = generateDemoRegistry({
    patients: opts.patients,
    today,
    rng: seededRng(opts.seed),
  });
  const summary = await db.transaction(async (tx) => {
    await setRegistryFlag(tx, DEMO_FLAG);
    const siteIds: string[] = [];
    const clinicianBySite: string[] = [];
    for (const login of DEMO_LOGINS) {
      const siteName = registry.sites[login.site] ?? registry.sites[0] ?? 'Demo site';
      const user = await createUser(tx, siteName, { ...login, password: DEMO_PASSWORD });
      siteIds[login.site] = user.siteId;
      if (login.role === 'clinician') clinicianBySite[login.site] = user.id;
    }
    const joints: DemoJoint[] = [];
    const rows: RegistryRows = {
      patients: [],
      identities: [],
      episodes: [],
      treatments: [],
      assignments: [],
      responses: [],
      scores: [],
      events: [],
      adverseEvents: [],
    };
    for (const p of registry.patients) {
      const siteId = siteIds[p.siteIndex] ?? siteIds[0];
      if (!siteId) throw new Error('demo site missing');
      const patientId = randomUUID();
      const episodeId = randomUUID();
      rows.patients.push({
        id: patientId,
        site_id: siteId,
        registry_id: p.patient.registryId,
        birth_year: Number(p.patient.dateOfBirth.slice(0, 4)),
        sex: p.patient.sex,
        consent_date: p.patient.consentDate,
      });
      rows.identities.push({
        patient_id: patientId,
        site_id: siteId,
        given_name: p.patient.givenName,
        family_name: p.patient.familyName,
        date_of_birth: p.patient.dateOfBirth,
        email: p.patient.email ?? null,
      });
      rows.episodes.push({
        id: episodeId,
        site_id: siteId,
        patient_id: patientId,
        joint: p.episode.joint,
        side: p.episode.side,
        kl_grade: p.episode.klGrade,
        diagnosis: p.episode.diagnosis ?? null,
      });
      const treatmentId = randomUUID();
      // The first injection, then the rest of its series (PRP given weekly).
      for (const [i, t] of [p.treatment, ...p.seriesInjections].entries())
        rows.treatments.push({
          id: i === 0 ? treatmentId : randomUUID(),
          site_id: siteId,
          patient_id: patientId,
          episode_id: episodeId,
          treatment_date: t.treatmentDate,
          product_class: t.productClass,
          cell_dose_millions: t.cellDoseMillions ?? null,
          bmi: t.bmi ?? null,
          volume_ml: t.volumeMl,
          image_guidance: t.imageGuidance,
          characterisation: t.characterisation ?? {},
          platelet_dose_billions: productDose(t.productClass, t.characterisation ?? {}, t.volumeMl),
        });
      const joint = { site_id: siteId, patient_id: patientId, episode_id: episodeId };
      for (const e of p.laterEvents)
        rows.events.push({ ...joint, kind: e.kind, event_date: e.date });
      for (const a of p.adverseEvents)
        rows.adverseEvents.push({
          ...joint,
          treatment_id: treatmentId,
          onset_date: a.onsetDate,
          description: a.description,
          grade: a.grade,
          serious: a.serious,
          relatedness: a.relatedness,
        });
      const demoJoint: DemoJoint = {
        index: joints.length,
        siteIndex: p.siteIndex,
        siteId,
        patientId,
        episodeId,
        treatmentDate: p.treatment.treatmentDate,
        instruments:
          p.responses.length > 0
            ? [...new Set(p.responses.map((r) => r.instrumentId))]
            : defaultInstrumentsFor(p.episode.joint),
        answered: [],
      };
      joints.push(demoJoint);
      const byTimepoint = new Map<string, typeof p.responses>();
      for (const r of p.responses)
        byTimepoint.set(r.timepoint, [...(byTimepoint.get(r.timepoint) ?? []), r]);
      for (const [timepoint, responses] of byTimepoint) {
        const tp = timePointById(timepoint);
        const first = responses[0];
        if (!tp || !first) continue;
        const window = followUpWindow(p.treatment.treatmentDate, tp);
        const assignmentId = randomUUID();
        const submittedAt = `${first.submittedOn}T10:00:00Z`;
        rows.assignments.push({
          id: assignmentId,
          site_id: siteId,
          patient_id: patientId,
          episode_id: episodeId,
          timepoint,
          instruments: responses.map((r) => r.instrumentId),
          window_target: window.target,
          window_opens: window.opens,
          window_closes: window.closes,
          token_digest: digestToken(newSecretToken()),
          expires_at: `${addDays(window.closes, 30)}T00:00:00Z`,
          completed_at: submittedAt,
        });
        demoJoint.answered.push({ assignmentId, timepoint, submittedOn: first.submittedOn });
        for (const r of responses) {
          const responseId = randomUUID();
          rows.responses.push({
            id: responseId,
            site_id: siteId,
            patient_id: patientId,
            episode_id: episodeId,
            assignment_id: assignmentId,
            instrument_id: r.instrumentId,
            timepoint,
            answers: r.answers,
            submitted_at: submittedAt,
            in_window: isWithinWindow(r.submittedOn, window),
          });
          const scores = scoreResponse(instrumentById(r.instrumentId), r.answers);
          for (const [scale, value] of Object.entries(scores)) {
            rows.scores.push({
              response_id: responseId,
              site_id: siteId,
              patient_id: patientId,
              instrument_id: r.instrumentId,
              scale,
              value,
            });
          }
        }
      }
    }
    await insertRegistryRows(tx, rows);
    await seedDemoOutreach(tx, joints, today, clinicianBySite);
    await appendAudit(tx, {
      siteId: null,
      actorKind: 'system',
      actorUserId: null,
      action: 'seed-demo',
      entity: 'registry',
      entityId: null,
      patientId: null,
      detail: { seed: opts.seed, patients: opts.patients },
    });
    return {
      patients: rows.patients.length,
      responses: rows.responses.length,
      sites: registry.sites,
    };
  });
  // Fresh planner statistics: an embedded database has no autovacuum to gather them, and
  // without them the dashboards' joins were planned as if the tables were empty.
  await db.query('analyze');
  return summary;
}
