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
  'follow_up_contacts',
  'staff_survey_links',
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

/** A string holding one C0 control character (not tab or a line end) or DEL. */
const withControl = fc
  .tuple(
    fc.string({ maxLength: 8 }),
    fc.oneof(
      fc.integer({ min: 0, max: 31 }).filter((c) => c !== 9 && c !== 10 && c !== 13),
      fc.constant(127),
    ),
    fc.string({ maxLength: 8 }),
  )
  .map(([a, c, b]) => `${a}${String.fromCharCode(c)}${b}`);
/** How deep to nest arrays: deeper than any body takes, up to 10,000 levels (sent as text). */
const nestingDepth = fc.integer({ min: 33, max: 10_000 });
/** Numbers and sizes at the edges: fractions, negatives, huge, not-a-number, a huge string. */
const edgeValue = fc.constantFrom<unknown>(
  0.5,
  -1,
  1e20,
  -1e20,
  Number.MAX_VALUE,
  Number.NaN, // JSON sends null
  '1e20',
  '-0',
  'x'.repeat(100_000),
  'x'.repeat(300_000), // over the body limit
);
/** Raw query-string values: edge numbers, encoded controls, bad percent-encoding, long text. */
const edgeQuery = fc.oneof(
  fc.constantFrom('0.5', '-1', '1e20', 'NaN', 'Infinity', '', 'x'.repeat(5_000)),
  fc.constantFrom('%E0%A4%A', '%', '%ZZ', '%C3', 'a%2', '%FF%FE'),
  withControl.map((v) => encodeURIComponent(v)),
);

/** Whether the edge must refuse a raw query value: bad percent-encoding or a control character. */
function refusedQueryValue(raw: string): boolean {
  try {
    return [...decodeURIComponent(raw)].some((ch) => ch.charCodeAt(0) < 32 || ch === '\u007f');
  } catch {
    return true;
  }
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
  let assignmentId: string;
  let adverseEventId: string;
  let eventId: string;
  let responseId: string;
  let paperCode: string;
  let registryId: string;
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
    assignmentId = issued.body.id;
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
    // A printed paper form of its own survey, so entering it leaves the other links alone.
    const paper = await clinician.call('POST', `/api/episodes/${episodeId}/surveys`, {
      timepoint: 'm3',
      confirmOutsideWindow: true,
    });
    const printed = await harness.app.request(`/api/surveys/${paper.body.id}/paper-form`, {
      method: 'POST',
      headers: { cookie: clinician.cookie, 'x-csrf-token': clinician.csrf },
    });
    paperCode = printed.headers.get('x-form-code') ?? '';
    expect(paperCode).toMatch(/^[0-9A-Z]{8}$/);
    registryId = (await clinician.call('GET', `/api/patients/${patientId}`)).body.patient
      .registryId;
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
      {
        treatmentDate: '2026-03-02',
        productClass: 'PRP',
        volumeMl: 4,
        imageGuidance: 'none',
        characterisation: { wholeBloodPlateletsK: 200, productPlateletsK: 900, activation: 'none' },
      },
    ],
    [
      'POST',
      '/api/data-quality/reviews',
      { treatmentId, rule: 'missing-characterisation', field: 'characterisation.origin' },
    ],
    ['POST', `/api/episodes/${episodeId}/surveys`, { timepoint: 'w6', confirmOutsideWindow: true }],
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
    ['POST', `/api/patients/${patientId}/status`, { status: 'active', reason: 'r' }],
    [
      'POST',
      `/api/patients/${patientId}/events`,
      { kind: 'reinjection', date: '2026-03-02', episodeId },
    ],
    ['POST', `/api/patients/${patientId}/withdraw`, { data: 'erase', reason: 'r', confirm: 'no' }],
    [
      'PUT',
      `/api/patients/${patientId}/contact`,
      {
        mobile: '+44 7400 123456',
        smsConsent: 'opted-in',
        timeZone: 'Europe/London',
        language: 'en',
        preferredCallTime: 'Mornings',
      },
    ],
    ['POST', `/api/call-list/${assignmentId}/attempts`, { outcome: 'voicemail', note: 'Left one' }],
    ['PUT', '/api/schedule', { timepoints: [] }],
    [
      'PUT',
      '/api/message-templates',
      { language: 'fr', kind: 'invitation', subject: 's', body: '{{link}}' },
    ],
    ['POST', '/api/meta', { measure: 'GEN', csv: 'study,yi,vi\nA,1,0.1\nB,2,0.2\n' }],
    ['PUT', `/api/survey/${surveyToken}/draft`, { answers: { 'nrs-pain': { NRS: 3 } } }],
    ['POST', `/api/survey/${surveyToken}/lock`, { reason: 'idle' }],
    [
      'POST',
      `/api/paper-forms/${paperCode}/entries`,
      { registryId, answers: { 'nrs-pain': { NRS: 3 } }, recordNow: false },
    ],
    ['POST', `/api/paper-forms/${paperCode}/settle`, { answers: { 'nrs-pain': { NRS: 3 } } }],
    ['POST', '/api/auth/login', { email: 'clin@harbour.test', password: 'wrong' }],
    ['POST', '/api/auth/login/second-factor', { challenge: 'A'.repeat(43), code: '123456' }],
    ['POST', '/api/auth/password-reset', { email: 'someone@harbour.test' }],
    ['POST', '/api/auth/set-password', { token: 'A'.repeat(43), password: 'long enough pass' }],
    ['POST', '/api/auth/password', { currentPassword: 'not it', newPassword: 'another pass 1' }],
    ['POST', '/api/auth/two-factor/confirm', { code: '123456' }],
    ['POST', '/api/auth/two-factor/disable', { currentPassword: 'not it', code: '123456' }],
    ['POST', '/api/auth/two-factor/recovery-codes', { code: '123456' }],
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
    // The provider's callbacks are signed forms or JSON: fuzzed in sms.int.test.ts.
    const covered = [
      ...routes().map(([method, path]) => `${method} ${path}`),
      `POST /api/survey/${surveyToken}/submit`,
      'POST /api/sms/status',
      'POST /api/sms/inbound',
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

  it('refuses a control character or deep nesting in any field of any body with a 400 naming it', async () => {
    for (const [method, path, valid] of routes()) {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...Object.keys(valid)),
          fc.oneof(withControl, nestingDepth),
          async (key, value) => {
            // Nesting is written as text: building a 10,000-deep value would itself overflow.
            const body =
              typeof value === 'string'
                ? { ...valid, [key]: value }
                : JSON.stringify({ ...valid, [key]: '@' }).replace(
                    '"@"',
                    `${'['.repeat(value)}1${']'.repeat(value)}`,
                  );
            const reply = await clinician.call(method, path, body);
            expect(reply.status, `${method} ${path} ${key}`).toBe(400);
            expect(reply.body.error.fields[0].field.split('.')[0]).toBe(key);
          },
        ),
        { numRuns: Math.ceil(runs / 2), seed: 18 },
      );
    }
  });

  it('answers numeric edge values and huge strings in any field with a 4xx or success', async () => {
    for (const [method, path, valid] of routes()) {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...Object.keys(valid)), edgeValue, async (key, value) => {
          await probe(clinician, method, path, { ...valid, [key]: value });
        }),
        { numRuns: Math.ceil(runs / 2), seed: 1e9 + 7 },
      );
    }
  });

  it('answers edge values in every query parameter of every GET route in the OpenAPI list, never a 500', async () => {
    const paths = (openApiDocument() as { paths: Record<string, Record<string, unknown>> }).paths;
    const concrete = (template: string) =>
      template
        .replace('{token}', surveyToken)
        .replace(
          '{id}',
          template.includes('/episodes/')
            ? episodeId
            : template.includes('/patients/')
              ? patientId
              : 'koos',
        );
    for (const [template, operations] of Object.entries(paths)) {
      const get = operations.get as { parameters?: { name: string; in: string }[] } | undefined;
      if (!get) continue;
      const names = (get.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
      // Every route also gets a parameter it does not know.
      names.push('unknown');
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...names), edgeQuery, async (name, raw) => {
          const url = `${concrete(template)}?${name}=${raw}`;
          const reply = await clinician.call('GET', url);
          expect(reply.status, url).toBeLessThan(500);
          if (refusedQueryValue(raw)) expect(reply.status, url).toBe(400);
        }),
        { numRuns: Math.ceil(runs / 2), seed: 404 },
      );
    }
  });

  it('answers badly percent-encoded path segments with a 4xx', async () => {
    for (const path of [
      '/api/patients/%E0%A4%A',
      `/api/episodes/%FF/surveys`,
      '/api/survey/%E0%A4%A',
      '/api/survey/%00',
      '/api/instruments/%/fhir',
    ]) {
      const reply = await clinician.call('GET', path);
      expect(reply.status, path).toBeGreaterThanOrEqual(400);
      expect(reply.status, path).toBeLessThan(500);
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
