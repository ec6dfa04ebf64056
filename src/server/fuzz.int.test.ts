import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ViewCache } from '../app/analytics/view-cache.ts';
import { importEvidence } from '../app/evidence/evidence.ts';
import type { Db } from '../store/db.ts';
import { backends } from '../testing/databases.ts';
import {
  Client,
  ENROL_BODY,
  enrolTreatedPatient,
  seedTwoSites,
  testApp,
  testClock,
  tokenOf,
} from '../testing/http.ts';
import { openApiDocument } from './openapi.ts';

/**
 * Random and mutated bodies for every API route that takes one: the server must answer with
 * a clear 4xx (never a 500) and a refused request must leave every table as it was.
 */

const TABLES = [
  'patients',
  'patient_identities',
  'joint_episodes',
  'treatments',
  'survey_assignments',
  'responses',
  'response_scores',
  'adverse_events',
  'patient_events',
  'site_schedules',
  'message_templates',
  'evidence_trial_arms',
  'jobs',
  'users',
  'account_tokens',
  'recovery_codes',
] as const;

async function tableCounts(db: Db): Promise<Record<string, number>> {
  const [row] = await db.query<Record<string, number>>(
    `select ${TABLES.map((t) => `(select count(*)::int from ${t}) as ${t}`).join(', ')}`,
  );
  return row ?? {};
}

/** A value of any JSON shape, including the awkward ones (huge numbers, deep nesting, odd keys). */
const anyJson = fc.jsonValue({ maxDepth: 3 });
/** A valid body with one field replaced by anything, dropped, or a stray field added. */
function mutated(valid: Record<string, unknown>) {
  const keys = Object.keys(valid);
  return fc.oneof(
    fc.record({ key: fc.constantFrom(...keys), value: anyJson }).map(({ key, value }) => ({
      ...valid,
      [key]: value,
    })),
    fc.constantFrom(...keys).map((key) => {
      const { [key]: _dropped, ...rest } = valid;
      return rest;
    }),
    fc.record({ key: fc.string({ maxLength: 12 }), value: anyJson }).map(({ key, value }) => ({
      ...valid,
      [key]: value,
    })),
    anyJson,
  );
}

describe.each(backends())('fuzzed request bodies on $name', (backend) => {
  let db: Db;
  let harness: ReturnType<typeof testApp>;
  let clinician: Client;
  let admin: Client;
  let researcherId: string;
  let patientId: string;
  let episodeId: string;
  let treatmentId: string;
  let surveyToken: string;
  let adverseEventId: string;
  let eventId: string;
  let responseId: string;
  const runs = backend.name === 'pglite' ? 40 : 25;

  beforeAll(async () => {
    db = await backend.open();
    const users = await seedTwoSites(db, { admin: true });
    researcherId = users.harbourResearcher.id;
    harness = testApp(db, testClock('2026-03-02T10:00:00Z'));
    clinician = new Client(harness.app);
    await clinician.signIn('clin@harbour.test');
    admin = new Client(harness.app);
    await admin.signIn('admin@harbour.test');
    const enrolled = await enrolTreatedPatient(clinician);
    patientId = enrolled.patientId;
    episodeId = enrolled.episodeId;
    treatmentId = enrolled.treatment.body.id;
    const issued = await clinician.call('POST', `/api/episodes/${episodeId}/surveys`, {
      timepoint: 'baseline',
    });
    surveyToken = tokenOf(issued.body.url);
    const adverse = await clinician.call('POST', `/api/episodes/${episodeId}/adverse-events`, {
      treatmentId,
      onsetDate: '2026-03-02',
      description: 'Flare',
      grade: 1,
      serious: false,
      relatedness: 'possible',
    });
    adverseEventId = adverse.body.id;
    const event = await clinician.call('POST', `/api/patients/${patientId}/events`, {
      kind: 'reinjection',
      date: '2026-03-02',
      episodeId,
    });
    eventId = event.body.id;
    // A second joint's answered survey, so its response can be corrected.
    const other = await enrolTreatedPatient(clinician);
    const link = await clinician.call('POST', `/api/episodes/${other.episodeId}/surveys`, {
      timepoint: 'baseline',
    });
    await new Client(harness.app).call('POST', `/api/survey/${tokenOf(link.body.url)}/submit`, {
      answers: { 'nrs-pain': { NRS: 4 } },
    });
    const record = await clinician.call('GET', `/api/patients/${other.patientId}`);
    responseId = record.body.responses[0].id;
    for (const id of [adverseEventId, eventId, responseId]) expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });
  afterAll(async () => {
    await db.close();
  });

  /** Sends the body; asserts a 4xx with an error message, or success; and no write on refusal. */
  async function probe(client: Client, method: string, path: string, body: unknown) {
    const before = await tableCounts(db);
    const reply = await client.call(method, path, body);
    expect(reply.status, `${method} ${path} ${JSON.stringify(body)}`).toBeLessThan(500);
    if (reply.status >= 400) {
      expect(typeof reply.body?.error?.message).toBe('string');
      expect(await tableCounts(db)).toEqual(before);
    }
    return reply.status;
  }

  const routes = (): [string, string, Record<string, unknown>, 'admin'?][] => [
    ['POST', '/api/patients', { ...ENROL_BODY }],
    ['POST', `/api/patients/${patientId}/episodes`, { joint: 'knee', side: 'left', klGrade: 2 }],
    [
      'POST',
      `/api/episodes/${episodeId}/treatments`,
      { treatmentDate: '2026-03-02', productClass: 'PRP', volumeMl: 4, imageGuidance: 'none' },
    ],
    ['POST', `/api/episodes/${episodeId}/surveys`, { timepoint: 'w6' }],
    [
      'POST',
      `/api/episodes/${episodeId}/adverse-events`,
      {
        treatmentId,
        onsetDate: '2026-03-02',
        description: 'Flare',
        grade: 1,
        serious: false,
        relatedness: 'possible',
      },
    ],
    ['PATCH', `/api/patients/${patientId}`, { familyName: 'Fuzzed', reason: 'Spelling' }],
    ['PATCH', `/api/episodes/${episodeId}`, { klGrade: 2, diagnosis: 'OA', reason: 'Re-read' }],
    ['PATCH', `/api/treatments/${treatmentId}`, { volumeMl: 5, reason: 'Syringe label' }],
    ['POST', `/api/episodes/${episodeId}/entered-in-error`, { reason: 'Duplicate' }],
    ['POST', `/api/treatments/${treatmentId}/entered-in-error`, { reason: 'Duplicate' }],
    ['PATCH', `/api/adverse-events/${adverseEventId}`, { grade: 2, reason: 'Letter' }],
    ['POST', `/api/adverse-events/${adverseEventId}/entered-in-error`, { reason: 'Twice' }],
    ['PATCH', `/api/events/${eventId}`, { date: '2026-03-01', reason: 'Phone call' }],
    ['POST', `/api/events/${eventId}/entered-in-error`, { reason: 'Other patient' }],
    ['PATCH', `/api/responses/${responseId}`, { answers: { NRS: 5 }, reason: 'Paper form' }],
    ['POST', `/api/responses/${responseId}/entered-in-error`, { reason: 'Wrong joint' }],
    ['POST', `/api/patients/${patientId}/status`, { status: 'lost-to-follow-up', reason: 'r' }],
    [
      'POST',
      `/api/patients/${patientId}/events`,
      { kind: 'reinjection', date: '2026-03-02', episodeId },
    ],
    ['POST', `/api/patients/${patientId}/withdraw`, { data: 'erase', reason: 'r', confirm: 'no' }],
    ['PUT', '/api/schedule', { timepoints: [] }],
    [
      'PUT',
      '/api/message-templates',
      { language: 'fr', kind: 'invitation', subject: 's', body: '{{link}}' },
    ],
    ['POST', '/api/meta', { measure: 'GEN', csv: 'study,yi,vi\nA,1,0.1\nB,2,0.2\n' }],
    ['PUT', `/api/survey/${surveyToken}/draft`, { answers: { 'nrs-pain': { NRS: 3 } } }],
    ['POST', '/api/auth/login', { email: 'clin@harbour.test', password: 'wrong' }],
    ['POST', '/api/auth/login/second-factor', { challenge: 'A'.repeat(43), code: '123456' }],
    ['POST', '/api/auth/password-reset', { email: 'someone@harbour.test' }],
    ['POST', '/api/auth/set-password', { token: 'A'.repeat(43), password: 'long enough pass' }],
    ['POST', '/api/auth/password', { currentPassword: 'not it', newPassword: 'another pass 1' }],
    ['POST', '/api/auth/two-factor/confirm', { code: '123456' }],
    [
      'POST',
      '/api/users/invitations',
      { email: 'fuzz@harbour.test', name: 'Fuzz', role: 'researcher' },
      'admin',
    ],
    ['PUT', `/api/users/${researcherId}/role`, { role: 'researcher' }, 'admin'],
    ['PUT', '/api/access-settings', { requireTwoFactor: false }, 'admin'],
  ];

  it('fuzzes every route the OpenAPI document says takes a body', () => {
    const document = openApiDocument() as {
      paths: Record<string, Record<string, { requestBody?: unknown }>>;
    };
    // The survey submission has its own property below, with answers shaped like answers.
    const covered = [
      ...routes().map(([method, path]) => `${method} ${path}`),
      `POST /api/survey/${surveyToken}/submit`,
    ];
    for (const [template, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        if (!operation.requestBody) continue;
        const pattern = new RegExp(
          `^${method.toUpperCase()} ${template.replace(/\{\w+\}/g, '[^/]+')}$`,
        );
        expect(
          covered.some((c) => pattern.test(c)),
          `${method} ${template}`,
        ).toBe(true);
      }
    }
  });

  it('answers every mutated body of every route with a clear 4xx or success, never a 500', async () => {
    for (const [method, path, valid, who] of routes()) {
      await fc.assert(
        fc.asyncProperty(mutated(valid), async (body) => {
          await probe(who ? admin : clinician, method, path, body);
        }),
        { numRuns: runs, seed: 20261125 },
      );
    }
  });

  it('refuses bodies that are not JSON, or not an object, with 400', async () => {
    for (const [method, path, , who] of routes()) {
      await fc.assert(
        fc.asyncProperty(fc.string({ maxLength: 60 }), async (text) => {
          const status = await probe(who ? admin : clinician, method, path, text);
          if (!/^\s*[[{]/.test(text)) expect([400, 429]).toContain(status);
        }),
        { numRuns: 15, seed: 7 },
      );
    }
  });

  it('takes a submission whole or not at all, whatever its answers', async () => {
    const patient = new Client(harness.app);
    const answers = fc.record({
      'nrs-pain': fc.dictionary(fc.constantFrom('NRS', 'XX'), anyJson),
      koos: fc.dictionary(fc.constantFrom('P1', 'S1', 'Q4', 'A17'), anyJson),
    });
    await fc.assert(
      fc.asyncProperty(answers, async (a) => {
        const status = await probe(patient, 'POST', `/api/survey/${surveyToken}/submit`, {
          answers: a,
        });
        // A valid submission would end the property early: the link works once.
        if (status === 201) return;
        expect(status).toBe(400);
      }),
      { numRuns: runs, seed: 99 },
    );
    expect(patientId).toBeTruthy();
  });

  it('imports evidence CSV of any text either whole or not at all', async () => {
    const ctx = {
      db,
      now: () => new Date('2026-03-02T10:00:00Z'),
      publicUrl: 'http://t',
      views: new ViewCache(),
    };
    const header =
      'study,year,registration,arm,product_class,n,outcome,scale,timepoint_months,stat,value,sd,ci_lower,ci_upper,source\n';
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc
            .array(fc.array(fc.string({ maxLength: 12 }), { maxLength: 16 }), { maxLength: 4 })
            .map((rows) => header + rows.map((r) => r.join(',')).join('\n')),
        ),
        async (text) => {
          const before = await tableCounts(db);
          try {
            await importEvidence(ctx, 'trials.csv', text);
          } catch (error) {
            expect((error as { code?: string }).code).toBe('invalid');
            expect(await tableCounts(db)).toEqual(before);
          }
        },
      ),
      { numRuns: runs, seed: 3 },
    );
  });
});
