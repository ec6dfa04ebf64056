import { z } from 'zod';
import { COHORT_OPTIONS } from '../app/analytics/report.ts';
import { metaRequestSchema } from '../app/evidence/meta.ts';
import { paperEntrySchema, paperSettleSchema, tabletLockSchema } from '../app/follow-up/paper.ts';
import { issueSurveySchema, TABLET_IDLE_SECONDS } from '../app/follow-up/surveys.ts';
import {
  accessSettingsSchema,
  changePasswordSchema,
  confirmTwoFactorSchema,
  disableTwoFactorSchema,
  inviteSchema,
  newRecoveryCodesSchema,
  passwordResetRequestSchema,
  roleChangeSchema,
  secondFactorSchema,
  setPasswordSchema,
} from '../core/access/schemas.ts';
import {
  CALL_OUTCOMES,
  callAttemptSchema,
  MODES,
  patientContactSchema,
} from '../core/outreach/contact.ts';
import {
  adverseEventCorrectionSchema,
  clinicEventSchema,
  enteredInErrorSchema,
  episodeCorrectionSchema,
  eventCorrectionSchema,
  patientCorrectionSchema,
  patientStatusSchema,
  responseCorrectionSchema,
  treatmentCorrectionSchema,
  withdrawalSchema,
} from '../core/registry/corrections.ts';
import { dataQualityReviewSchema } from '../core/registry/data-quality.ts';
import {
  enrolPatientSchema,
  jointEpisodeSchema,
  loginSchema,
  treatmentSchema,
} from '../core/registry/schemas.ts';
import { scheduleWindowsSchema } from '../core/schedule/custom.ts';
import { TIMEPOINT_IDS } from '../core/schedule/timepoints.ts';
import { MAX_META_STUDIES } from '../core/stats/analysis.ts';

const errorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: {
          type: 'string',
          enum: [
            'invalid',
            'unauthenticated',
            'forbidden',
            'not-found',
            'conflict',
            'gone',
            'rate-limited',
            'internal',
          ],
        },
        message: { type: 'string' },
        fields: {
          type: 'array',
          items: {
            type: 'object',
            properties: { field: { type: 'string' }, message: { type: 'string' } },
          },
        },
      },
    },
  },
};

const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const body = (schema: z.ZodType) => ({
  required: true,
  ...json(z.toJSONSchema(schema, { io: 'input' })),
});
const errors = {
  400: {
    description: 'Invalid input; `fields` names each bad field. Nothing was written.',
    ...json(errorSchema),
  },
  401: { description: 'Not signed in', ...json(errorSchema) },
  403: { description: 'Wrong role, or missing/wrong X-CSRF-Token', ...json(errorSchema) },
  404: { description: 'Not found (or not at your site)', ...json(errorSchema) },
};
const tooMany = {
  description: 'Too many failed tries: wait the Retry-After seconds (progressive delay)',
  headers: { 'Retry-After': { schema: { type: 'integer' } } },
  ...json(errorSchema),
};
const conflictError = { description: 'Conflicts with what exists', ...json(errorSchema) };
const ok = (description: string) => ({ description, ...json({ type: 'object' }) });
const cohortParameters = COHORT_OPTIONS.map((name) => ({
  name,
  in: 'query',
  schema: { type: 'string' },
}));
const idParam = (name: string) => ({
  name,
  in: 'path',
  required: true,
  schema: { type: 'string', format: 'uuid' },
});
const tokenParam = {
  name: 'token',
  in: 'path',
  required: true,
  schema: { type: 'string', minLength: 43, maxLength: 43 },
};
const answersBody = {
  required: true,
  ...json({
    type: 'object',
    required: ['answers'],
    properties: {
      answers: {
        type: 'object',
        description: 'instrument id → official item code → response value (null = not answered)',
        additionalProperties: {
          type: 'object',
          additionalProperties: { type: ['number', 'null'] },
        },
      },
      via: {
        type: 'string',
        enum: ['email', 'sms'],
        description:
          'The channel whose link was followed (a text message link ends in ?via=sms); recorded as the mode web-email or web-sms. Ignored on a staff interview link.',
      },
    },
  }),
};
/**
 * A provider's callback: form-encoded as the provider sends it, or JSON (whose URL then carries
 * `bodySHA256`), signed (X-Twilio-Signature).
 */
const providerForm = (fields: Record<string, string>) => {
  const schema = {
    type: 'object',
    properties: Object.fromEntries(
      Object.entries(fields).map(([k, d]) => [k, { type: 'string', description: d }]),
    ),
  };
  return {
    required: true,
    content: { 'application/x-www-form-urlencoded': { schema }, 'application/json': { schema } },
  };
};
const signatureHeader = {
  name: 'X-Twilio-Signature',
  in: 'header',
  required: true,
  schema: { type: 'string' },
  description:
    'Base64 HMAC-SHA1, under the Twilio Auth Token, of the full URL called (PUBLIC_URL and path, with or without its standard port) followed by each POST parameter name and value sorted by name; for a JSON body, of the URL alone, whose bodySHA256 query parameter must be the hex SHA-256 of the body',
};

let cached: object | undefined;

/** The OpenAPI 3.1 description of the HTTP API; request bodies come from the same zod schemas the server uses. */
export function openApiDocument(): object {
  cached ??= {
    openapi: '3.1.0',
    info: {
      title: 'StemTrack API',
      version: '0.1.0',
      description:
        'Outcomes registry for orthobiologic joint treatments. Sign in with POST /api/auth/login; send the returned csrfToken as X-CSRF-Token on every change.',
    },
    components: {
      securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'stemtrack_session' } },
    },
    security: [{ session: [] }],
    paths: {
      '/api/health': {
        get: { summary: 'Liveness and database kind', security: [], responses: { 200: ok('Up') } },
      },
      '/api/vocabulary': {
        get: {
          summary: 'Controlled lists: product classes, joints, time points, instruments',
          security: [],
          responses: {
            200: {
              description: 'Lists, and whether this server sends survey e-mails',
              ...json({
                type: 'object',
                properties: {
                  emailOn: {
                    type: 'boolean',
                    description:
                      'Whether survey e-mails go out (SMTP_URL, MAIL_FROM and MAIL_KEY are set); when false a link is never e-mailed and the screens say so',
                  },
                  timepoints: {
                    type: 'array',
                    items: {
                      type: 'object',
                      properties: { id: { type: 'string' }, label: { type: 'string' } },
                    },
                  },
                  instruments: { type: 'array', items: { type: 'object' } },
                },
                required: ['emailOn'],
              }),
            },
          },
        },
      },
      '/api/evidence': {
        get: {
          summary:
            'Public evidence: trials with sources, published pooled results and placebo response, pooled trial effects where arm data allow',
          security: [],
          responses: { 200: ok('Evidence overview') },
        },
      },
      '/api/instruments': {
        get: {
          summary:
            'Every questionnaire the registry can ask: source, terms of use, scoring and missing-item rules, MCID/PASS with their sources, LOINC codes',
          responses: { 200: ok('Instrument catalogue'), 401: errors[401] },
        },
      },
      '/api/instruments/{id}': {
        get: {
          summary:
            "An instrument's questions in the patient's words: sections, item text, the words of each answer, and its scales",
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { 200: ok('Questions'), 401: errors[401], 404: errors[404] },
        },
      },
      '/api/instruments/{id}/fhir': {
        get: {
          summary: 'An instrument (built-in or licensed) as a FHIR R4 Questionnaire',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            200: ok('Questionnaire (application/fhir+json)'),
            401: errors[401],
            404: errors[404],
          },
        },
      },
      '/api/follow-up': {
        get: {
          summary:
            "Your site's follow-up worklist (due and overdue by default; the first `rows` rows in patient order, at most and by default 500, with worklistTotal counting them all) and completeness per time point",
          parameters: [
            {
              name: 'status',
              in: 'query',
              schema: {
                type: 'string',
                enum: ['upcoming', 'due', 'overdue', 'completed', 'missed', 'ended'],
              },
            },
            { name: 'timepoint', in: 'query', schema: { type: 'string' } },
            { name: 'rows', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500 } },
          ],
          responses: { 200: ok('Worklist and flow'), 400: errors[400], 401: errors[401] },
        },
      },
      '/api/audit': {
        get: {
          summary:
            "Your site's audit log for admins, newest first, 50 rows a page: filter by registryId (the patient's study id), user (e-mail or part of it), action, from and to (YYYY-MM-DD, inclusive, UTC); page from 1. Each read is itself audited.",
          parameters: ['registryId', 'user', 'action', 'from', 'to', 'page'].map((name) => ({
            name,
            in: 'query',
            schema: { type: 'string' },
          })),
          responses: {
            200: ok('Rows, total, page'),
            400: errors[400],
            401: errors[401],
            403: errors[403],
          },
        },
      },
      '/api/audit/log.csv': {
        get: {
          summary:
            'The filtered audit log as CSV (the filters of /api/audit; formula-safe cells), admins only; audited',
          parameters: ['registryId', 'user', 'action', 'from', 'to'].map((name) => ({
            name,
            in: 'query',
            schema: { type: 'string' },
          })),
          responses: { 200: ok('CSV file'), 400: errors[400], 401: errors[401], 403: errors[403] },
        },
      },
      '/api/audit/verify': {
        get: {
          summary:
            "Recomputes every hash of your site's audit chains (admins): ok, rows checked, chains, and the first rows that do not fit (id, chain, what differs); audited",
          responses: { 200: ok('Verification'), 401: errors[401], 403: errors[403] },
        },
      },
      '/api/message-templates': {
        get: {
          summary: "Your registry's survey e-mail templates per language, and StemTrack's defaults",
          responses: { 200: ok('Templates'), 401: errors[401], 403: errors[403] },
        },
        put: {
          summary:
            'Set a template (admins): language (a BCP 47 tag such as fr or pt-BR, kept in its canonical form), kind (invitation|reminder), subject, body with {{link}} and {{unsubscribeLink}}. A patient gets the wording for their tag, else for each shorter form of it (pt-BR, then pt), else English',
          responses: { 200: ok('Templates'), 400: errors[400], 401: errors[401], 403: errors[403] },
        },
      },
      '/api/data-quality': {
        get: {
          summary:
            'Treatments at your site with open data-quality queries (clinicians): implausible values saved with a confirmation and values the PRP classifications or cell dose need but were not recorded; with the rules and where each range comes from',
          responses: {
            200: ok('Records, open queries, rules'),
            401: errors[401],
            403: errors[403],
          },
        },
      },
      '/api/data-quality/reviews': {
        post: {
          summary:
            'Verify one open query (clinicians): treatmentId, rule and field; the query closes while the value stays the same',
          requestBody: body(dataQualityReviewSchema),
          responses: {
            200: ok('Verified'),
            400: errors[400],
            401: errors[401],
            403: errors[403],
            404: errors[404],
          },
        },
      },
      '/api/free-text-reviews': {
        post: {
          summary:
            'Mark a free text as read and free of identifying details (clinicians): kind (diagnosis | treatment-notes | adverse-event-description) and id; only then do researchers see it',
          responses: {
            200: ok('Marked'),
            400: errors[400],
            401: errors[401],
            403: errors[403],
            404: errors[404],
          },
        },
      },
      '/api/report/durability': {
        get: {
          summary:
            'Kaplan–Meier curves of the cohort at your site (the filters of /api/report; free of joint replacement, of re-injection; return to activities, to work) with Greenwood CIs, numbers at risk and the cohort size',
          parameters: cohortParameters,
          responses: { 200: ok('Curves'), 400: errors[400], 401: errors[401] },
        },
      },
      '/api/report/completeness': {
        get: {
          summary:
            'Follow-up completeness per time point of the cohort at your site (the filters of /api/report): joints reached, invited, answered and lost, with the cohort size',
          parameters: cohortParameters,
          responses: { 200: ok('Completeness'), 400: errors[400], 401: errors[401] },
        },
      },
      ...Object.fromEntries(
        [
          [
            '/api/export/scores.csv',
            'Tidy long CSV: one row per patient × joint × time point × score',
          ],
          ['/api/export/joints.csv', 'One row per treated joint: first treatment, last contact'],
          ['/api/export/treatments.csv', 'Every treatment of every joint'],
          [
            '/api/export/later-events.csv',
            'Joint replacement, re-injection, return to activities/work',
          ],
          ['/api/export/adverse-events.csv', 'Adverse events with the treatment each followed'],
          ['/api/export/scales.csv', 'Each scale: range, direction, MCID and PASS with sources'],
          ['/api/export/data-dictionary.csv', 'What each column of each file holds'],
          ['/api/export/figures.csv', "The report's headline figures, to compare with reproduce.R"],
          ['/api/export/reproduce.R', 'R script recomputing the headline figures from the CSVs'],
          [
            '/api/export/bundle.json',
            'FHIR R4 Bundle: Patient, Procedure, QuestionnaireResponse, Observation',
          ],
        ].map(([path, summary]) => [
          path,
          {
            get: {
              summary: `${summary}. De-identified (study ids, per-patient shifted dates, ages over 89 as 90+) unless ?identified=true (admins only). Every export is audited.`,
              parameters: [
                {
                  name: 'identified',
                  in: 'query',
                  schema: { type: 'string', enum: ['true', 'false'] },
                },
              ],
              responses: { 200: ok('File'), 400: errors[400], 401: errors[401], 403: errors[403] },
            },
          },
        ]),
      ),
      '/api/report/outreach': {
        get: {
          summary: `Follow-up completeness per time point split by mode of administration (${MODES.join(', ')}) and by the channels each link went out on, and the share of links answered after each invitation, reminder and call before the next (the filters of /api/report)`,
          parameters: cohortParameters,
          responses: { 200: ok('Outreach'), 400: errors[400], 401: errors[401] },
        },
      },
      '/api/patients/{id}/contact': {
        get: {
          summary:
            'How to reach the patient beyond e-mail (clinicians, admins): mobile (E.164), text message consent with its time and source, time zone, language (BCP 47), preferred call time; smsOn says whether this server sends texts',
          parameters: [idParam('id')],
          responses: {
            200: ok('Contact details'),
            401: errors[401],
            403: errors[403],
            404: errors[404],
          },
        },
        put: {
          summary:
            'Set them (clinicians, admins): the mobile is checked with libphonenumber-js (a landline or invalid number is refused) and stored as E.164; a national number needs country; an unknown time zone or language tag is refused naming the field; nothing changes on any error',
          parameters: [idParam('id')],
          requestBody: body(patientContactSchema),
          responses: { 200: ok('Saved contact details'), ...errors },
        },
      },
      '/api/call-list': {
        get: {
          summary:
            'Patients to call (clinicians, admins): open surveys whose e-mails and texts have all gone out, a few days on, with the window still open; phone, mobile, preferred call time, language, calls so far and the last outcome',
          responses: { 200: ok('Call list'), 401: errors[401], 403: errors[403] },
        },
      },
      '/api/call-list/{id}/attempts': {
        post: {
          summary: `Log a call about this survey (clinicians, admins): outcome ${CALL_OUTCOMES.join(', ')}, optional note; a declined survey leaves the list`,
          parameters: [idParam('id')],
          requestBody: body(callAttemptSchema),
          responses: {
            201: ok('Logged'),
            ...errors,
            409: conflictError,
            410: { description: 'The link expired' },
          },
        },
      },
      '/api/call-list/{id}/interview': {
        post: {
          summary:
            "A two-hour link to answer this survey with the patient on the phone (clinicians, admins): it opens the patient's survey; answers through it are recorded as a phone interview entered by you",
          parameters: [idParam('id')],
          responses: {
            201: ok('url, expiresAt, mode'),
            401: errors[401],
            403: errors[403],
            404: errors[404],
            409: conflictError,
            410: { description: 'The link expired' },
          },
        },
      },
      '/api/surveys/{id}/paper-form': {
        post: {
          summary:
            "A printable questionnaire for this open survey (clinicians, admins): a PDF with the patient number, the due instruments' items (an NRS as a row of numbered boxes, Likert answers in a row), a QR code of a link to the same survey (answers through it are recorded as web-qr) and a short form code, in the patient's recorded language (the form's words from the patient catalogue, the questions from an imported translation) unless ?language= names another BCP 47 tag. A right-to-left language, or a script the form's font (DejaVu Sans: Latin, Greek, Cyrillic) lacks, is refused with 409 (field language) and nothing is recorded: print in English (?language=en) or use the survey link or the tablet. Printing again keeps the code and replaces the QR link",
          parameters: [
            idParam('id'),
            {
              name: 'language',
              in: 'query',
              required: false,
              schema: { type: 'string' },
              description: 'Print in this BCP 47 language instead of the patient’s, e.g. en',
            },
          ],
          responses: {
            201: {
              description: 'The PDF; X-Form-Code gives the form code (8 characters)',
              headers: { 'X-Form-Code': { schema: { type: 'string' } } },
              content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } },
            },
            401: errors[401],
            403: errors[403],
            404: errors[404],
            409: conflictError,
            410: { description: 'The survey expired' },
          },
        },
      },
      '/api/paper-forms/{code}': {
        get: {
          summary:
            'A returned paper form by its code (clinicians, admins; any case, spaces and dashes ignored; a mistyped code is refused by its check character): patient number, time point, questionnaires, who has entered it (never the values of an entry) and its status: awaiting-entry, awaiting-second-entry, mismatches (with both values of each differing item), recorded or expired',
          parameters: [{ name: 'code', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { 200: ok('The form'), ...errors },
        },
      },
      '/api/paper-forms/{code}/entries': {
        post: {
          summary:
            "Enter a returned form (clinicians, admins). registryId is the patient number printed on the form: another patient's number is refused and nothing is kept. With recordNow the answers are scored and recorded at once (mode paper, entered by you); otherwise they wait for a second entry by another staff member, which records them when every item agrees and otherwise shows the mismatches",
          parameters: [{ name: 'code', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: body(paperEntrySchema),
          responses: {
            201: ok('The form after this entry'),
            ...errors,
            409: conflictError,
            410: { description: 'The survey expired' },
          },
        },
      },
      '/api/paper-forms/{code}/settle': {
        post: {
          summary:
            'Settle the mismatches of a form entered twice (clinicians, admins): answers gives the value read on the paper for every differing item; the agreed and settled answers are scored and recorded (mode paper, entered by you). An item left unsettled is named and nothing is recorded',
          parameters: [{ name: 'code', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: body(paperSettleSchema),
          responses: { 200: ok('The recorded form'), ...errors, 409: conflictError },
        },
      },
      '/api/surveys/{id}/tablet': {
        post: {
          summary: `Hand this open survey over on a clinic tablet (clinicians, admins): returns a one-hour link path (/s/…) that opens only this survey, recorded as mode tablet, and signs you out on this device in the same request (the session cookie is cleared), so the patient cannot reach the clinic app. The survey page locks after ${TABLET_IDLE_SECONDS} s without a touch and when it is sent`,
          parameters: [idParam('id')],
          responses: {
            201: ok('url (a path on this server), expiresAt'),
            401: errors[401],
            403: errors[403],
            404: errors[404],
            409: conflictError,
            410: { description: 'The survey expired' },
          },
        },
      },
      '/api/sms/status': {
        post: {
          summary:
            "The text message provider's delivery status callback (Twilio's StatusCallback): records the text's status; error 21610 (unsubscribed recipient) opts the patient out at once. Refused (403) unless the signature matches",
          security: [],
          parameters: [signatureHeader],
          requestBody: providerForm({
            MessageSid: 'The text',
            MessageStatus: 'queued, sent, delivered, undelivered or failed',
            ErrorCode: 'The provider’s error code, when there is one',
          }),
          responses: { 200: ok('Recorded'), 400: errors[400], 403: errors[403] },
        },
      },
      '/api/sms/inbound': {
        post: {
          summary:
            "A patient's reply (Twilio's incoming message webhook): STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE or OPTOUT opts every patient with that mobile out at once; START, YES or UNSTOP opts back in those who had opted out. Answers empty TwiML. Refused (403) unless the signature matches",
          security: [],
          parameters: [signatureHeader],
          requestBody: providerForm({ From: 'The sender (E.164)', Body: 'The reply' }),
          responses: {
            200: {
              description: 'Empty TwiML',
              content: { 'text/xml': { schema: { type: 'string' } } },
            },
            400: errors[400],
            403: errors[403],
          },
        },
      },
      '/api/report/benchmark': {
        get: {
          summary:
            'Your site against the rest of the network for the same cohort (the filters of /api/report): per time point n, mean and change from baseline with 95% CIs; other sites anonymised, withheld below 5 joints',
          parameters: cohortParameters,
          responses: { 200: ok('Benchmark'), 400: errors[400], 401: errors[401] },
        },
      },
      '/api/report/safety': {
        get: {
          summary:
            "Adverse events among the cohort's treatments at your site (the filters of /api/report) per product class: share of treatments with any, serious and related events, exact (Clopper–Pearson) 95% CIs; every serious event listed",
          parameters: cohortParameters,
          responses: { 200: ok('Safety'), 400: errors[400], 401: errors[401] },
        },
      },
      '/api/report/dose-response': {
        get: {
          summary:
            'Dose–response at your site (the filters of /api/report, and ?timepoint=m6 by default): per product class with a dose (cells for cell products, platelets for PRP) the change from baseline in KOOS/HOOS pain and function against log dose adjusted for the baseline score (ordinary least squares; fitted curve, 95% band, points; a joint’s dose is the total of its first series by the time point, said in `dosing`), or why no curve (too few joints, no dose recorded); product comparisons adjusted for baseline score, KL grade, age, sex and BMI. Associations in an observational registry, not effects',
          parameters: [
            ...cohortParameters,
            {
              name: 'timepoint',
              in: 'query',
              schema: {
                type: 'string',
                enum: ['w6', 'm3', 'm6', 'm12', 'm24', 'm36', 'm48', 'm60'],
              },
            },
          ],
          responses: { 200: ok('Dose–response'), 400: errors[400], 401: errors[401] },
        },
      },
      '/api/episodes/{id}/adverse-events': {
        post: {
          summary:
            'Record an adverse event after a treatment of this joint (clinicians): treatmentId, onsetDate, description, grade (CTCAE 1–5), serious, relatedness',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { 201: ok('Recorded'), 400: errors[400], 401: errors[401], 403: errors[403] },
        },
      },
      '/api/report': {
        get: {
          summary:
            'Outcomes per time point at your site: n, mean (SD), 95% CI, change from baseline with 95% CI, the mixed-model trajectory, shares past each scale’s MCID and in its PASS, OMERACT-OARSI responders, and work status per time point (joints and share of each answer, in the form’s words)',
          parameters: cohortParameters,
          responses: { 200: ok('Report'), 400: errors[400], 401: errors[401] },
        },
      },
      '/api/schedule': {
        get: {
          summary: "Your registry's follow-up time points and windows",
          responses: { 200: ok('Schedule'), 401: errors[401] },
        },
        put: {
          summary: 'Set your registry windows (admins); overlapping windows are refused',
          requestBody: body(scheduleWindowsSchema),
          responses: { 200: ok('Schedule'), 400: errors[400], 401: errors[401], 403: errors[403] },
        },
      },
      '/api/follow-up/undelivered': {
        get: {
          summary: 'Survey e-mails that failed every attempt (dead-letter list) at your site',
          responses: { 200: ok('Undelivered e-mails'), 401: errors[401], 403: errors[403] },
        },
      },
      '/api/meta': {
        post: {
          summary: `Meta-analysis of a CSV of studies (study,yi,vi or study,n1,mean1,sd1,n2,mean2,sd2[,subgroup]; at most ${MAX_META_STUDIES} studies) with forest and funnel plots`,
          requestBody: body(metaRequestSchema),
          responses: {
            200: ok('Pooled result, tests and SVG plots'),
            400: errors[400],
            401: errors[401],
          },
        },
      },
      '/api/evidence/registry': {
        get: {
          summary:
            "Your site's uncontrolled change in pain at 6 and 12 months beside the trial evidence (cell-based treatments)",
          responses: { 200: ok('Registry vs evidence'), 401: errors[401] },
        },
      },
      '/api/auth/login': {
        post: {
          summary: 'Sign in',
          security: [],
          requestBody: body(loginSchema),
          responses: {
            200: ok(
              'Signed in and sets the session cookie; or `secondFactor: true` with a `challenge` for POST /api/auth/login/second-factor',
            ),
            400: errors[400],
            401: errors[401],
            429: tooMany,
          },
        },
      },
      '/api/auth/login/second-factor': {
        post: {
          summary: 'Second step of a two-factor sign-in: a code from the app, or a recovery code',
          security: [],
          requestBody: body(secondFactorSchema),
          responses: {
            200: ok('Signed in; sets the session cookie'),
            400: errors[400],
            401: errors[401],
            429: tooMany,
          },
        },
      },
      '/api/auth/password-reset': {
        post: {
          summary:
            'Ask for a password reset link by e-mail (same answer whether or not the address exists)',
          security: [],
          requestBody: body(passwordResetRequestSchema),
          responses: { 200: ok('What happens next'), 400: errors[400], 429: tooMany },
        },
      },
      '/api/auth/set-password': {
        post: {
          summary:
            'Set a password from an invitation or reset link (works once); ends every session',
          security: [],
          requestBody: body(setPasswordSchema),
          responses: {
            200: ok('Password set'),
            400: errors[400],
            410: { description: 'The link expired or was used', ...json(errorSchema) },
          },
        },
      },
      '/api/auth/password': {
        post: {
          summary: 'Change your password (needs the current one); ends your other sessions',
          requestBody: body(changePasswordSchema),
          responses: { 200: ok('Changed'), 400: errors[400], 401: errors[401], 429: tooMany },
        },
      },
      '/api/auth/sessions': {
        get: {
          summary: 'Your open sessions: when, from where, which is this one',
          responses: { 200: ok('Sessions'), 401: errors[401] },
        },
      },
      '/api/auth/sessions/end-others': {
        post: {
          summary: 'Sign out everywhere else',
          responses: { 200: ok('How many sessions ended'), 401: errors[401], 403: errors[403] },
        },
      },
      '/api/auth/two-factor': {
        get: {
          summary: 'Whether two-factor sign-in is set up or required, and recovery codes left',
          responses: { 200: ok('Status'), 401: errors[401] },
        },
      },
      '/api/auth/two-factor/setup': {
        post: {
          summary: 'Start two-factor set-up: a new secret as text, otpauth URI and QR code (SVG)',
          responses: { 200: ok('Secret'), 401: errors[401], 403: errors[403], 409: conflictError },
        },
      },
      '/api/auth/two-factor/confirm': {
        post: {
          summary: 'Finish set-up with the first code from the app; returns recovery codes once',
          requestBody: body(confirmTwoFactorSchema),
          responses: {
            200: ok('Recovery codes'),
            400: errors[400],
            401: errors[401],
            403: errors[403],
            409: conflictError,
          },
        },
      },
      '/api/auth/two-factor/disable': {
        post: {
          summary:
            'Turn two-factor sign-in off (needs your password and a code from the app or a recovery code); refused while your clinic requires it for your role',
          requestBody: body(disableTwoFactorSchema),
          responses: {
            200: ok('Turned off'),
            400: errors[400],
            401: errors[401],
            403: errors[403],
            409: conflictError,
            429: tooMany,
          },
        },
      },
      '/api/auth/two-factor/recovery-codes': {
        post: {
          summary:
            'New recovery codes (needs a code from the app); returned once, and the earlier ones stop working',
          requestBody: body(newRecoveryCodesSchema),
          responses: {
            200: ok('Recovery codes'),
            400: errors[400],
            401: errors[401],
            403: errors[403],
            409: conflictError,
            429: tooMany,
          },
        },
      },
      '/api/users': {
        get: {
          summary: "Your site's users, with role, status and last sign-in (admins)",
          responses: { 200: ok('Users'), 401: errors[401], 403: errors[403] },
        },
      },
      '/api/users/invitations': {
        post: {
          summary:
            'Invite a user by e-mail; when e-mail is off the reply holds the link to pass on by hand (admins)',
          requestBody: body(inviteSchema),
          responses: {
            201: ok('Invited'),
            400: errors[400],
            401: errors[401],
            403: errors[403],
            409: conflictError,
          },
        },
      },
      '/api/users/{id}/role': {
        put: {
          summary: "Change a user's role (admins; not your own)",
          parameters: [idParam('id')],
          requestBody: body(roleChangeSchema),
          responses: { 200: ok('User'), 400: errors[400], 403: errors[403], 404: errors[404] },
        },
      },
      '/api/users/{id}/deactivate': {
        post: {
          summary: 'Deactivate a user; every session of theirs ends at once (admins)',
          parameters: [idParam('id')],
          responses: { 200: ok('User'), 403: errors[403], 404: errors[404] },
        },
      },
      '/api/users/{id}/sign-in-link': {
        post: {
          summary: 'A fresh invitation or password reset link for a user (admins)',
          parameters: [idParam('id')],
          responses: { 200: ok('Link sent, or shown'), 403: errors[403], 404: errors[404] },
        },
      },
      '/api/access-settings': {
        get: {
          summary: "Your site's sign-in settings, and whether e-mail is on (admins)",
          responses: { 200: ok('Settings'), 401: errors[401], 403: errors[403] },
        },
        put: {
          summary: 'Require two-factor sign-in for admins and clinicians of your site (admins)',
          requestBody: body(accessSettingsSchema),
          responses: { 200: ok('Settings'), 400: errors[400], 403: errors[403] },
        },
      },
      '/api/auth/me': {
        get: {
          summary: 'The signed-in user and CSRF token',
          responses: { 200: ok('User'), 401: errors[401] },
        },
      },
      '/api/auth/logout': {
        post: { summary: 'Sign out', responses: { 200: ok('Signed out'), 401: errors[401] } },
      },
      '/api/patients': {
        get: {
          summary: 'Patients at your site (researchers see no direct identifiers)',
          parameters: [
            { name: 'search', in: 'query', schema: { type: 'string' } },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 200 } },
            { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0 } },
          ],
          responses: { 200: ok('Page of patients'), 401: errors[401] },
        },
        post: {
          summary: 'Enrol a patient (with consent)',
          requestBody: body(enrolPatientSchema),
          responses: { 201: ok('Enrolled'), ...errors },
        },
      },
      '/api/patients/{id}': {
        get: {
          summary: 'A patient’s record with scores',
          parameters: [idParam('id')],
          responses: { 200: ok('Record'), ...errors },
        },
        patch: {
          summary:
            'Correct a patient’s details or identity (clinicians, admins): the fields that change and a reason; the audit log keeps old and new values',
          parameters: [idParam('id')],
          requestBody: body(patientCorrectionSchema),
          responses: { 200: ok('The fields corrected'), ...errors },
        },
      },
      '/api/patients/{id}/history': {
        get: {
          summary:
            'The record’s history, newest first: corrections, entries removed as entered in error, events, status and consent changes, with who, when, why and old/new values (identifying values for clinical roles only)',
          parameters: [idParam('id')],
          responses: { 200: ok('History entries'), ...errors },
        },
      },
      '/api/patients/{id}/events': {
        post: {
          summary:
            'Record a later event the clinic learned of: re-injection, joint replacement, return to activities or work (with episodeId), or death (stops all contact)',
          parameters: [idParam('id')],
          requestBody: body(clinicEventSchema),
          responses: { 201: ok('Recorded'), ...errors },
        },
      },
      '/api/patients/{id}/status': {
        post: {
          summary:
            'Set a patient lost to follow-up (invitations and reminders stop) or active again, with a reason',
          parameters: [idParam('id')],
          requestBody: body(patientStatusSchema),
          responses: { 200: ok('New status and what was cancelled'), ...errors, 409: errors[404] },
        },
      },
      '/api/patients/{id}/withdraw': {
        post: {
          summary:
            'Consent withdrawn: cancels unsent e-mails and open survey links at once, then keeps the data (data=keep) or erases the patient (data=erase, confirm = the registry id)',
          parameters: [idParam('id')],
          requestBody: body(withdrawalSchema),
          responses: { 200: ok('Withdrawn or erased, with what was cancelled'), ...errors },
        },
      },
      '/api/patients/{id}/episodes': {
        post: {
          summary: 'Record a treated joint (joint, side, KL grade)',
          parameters: [idParam('id')],
          requestBody: body(jointEpisodeSchema),
          responses: { 201: ok('Created'), ...errors },
        },
      },
      '/api/episodes/{id}/treatments': {
        post: {
          summary: 'Record an injection',
          description:
            'The product is described in `characterisation` by product class (PRP counts, cell-product origin and counts, the injection series). Impossible values are refused (400 naming each field); implausible ones are refused on the field `confirmImplausible` unless it is true. A cell dose on a product without cells is refused.',
          parameters: [idParam('id')],
          requestBody: body(treatmentSchema),
          responses: { 201: ok('Created'), ...errors },
        },
      },
      '/api/episodes/{id}/surveys': {
        post: {
          summary: 'Issue a survey link for a follow-up time point',
          parameters: [idParam('id')],
          description:
            "Outside the time point's window the link is refused (400 on the field `confirmOutsideWindow`, saying when the window opens or closed) unless `confirmOutsideWindow` is true.",
          requestBody: body(issueSurveySchema),
          responses: {
            201: {
              description: 'Assignment with its one-time link',
              ...json({
                type: 'object',
                properties: {
                  id: { type: 'string', format: 'uuid' },
                  timepoint: { type: 'string', enum: [...TIMEPOINT_IDS] },
                  instruments: { type: 'array', items: { type: 'string' } },
                  url: {
                    type: 'string',
                    description: 'The one-time survey link; only its digest is stored',
                  },
                  emailed: {
                    type: 'boolean',
                    description:
                      'Whether an invitation e-mail was queued: false when this server has no mail settings (then hand the link over yourself)',
                  },
                },
                required: ['id', 'url', 'emailed'],
              }),
            },
            ...errors,
          },
        },
      },
      '/api/episodes/{id}': {
        patch: {
          summary:
            'Correct a treated joint (joint, side, KL grade, diagnosis) (clinicians, admins) with a reason; old and new values are audited',
          parameters: [idParam('id')],
          requestBody: body(episodeCorrectionSchema),
          responses: { 200: ok('The fields corrected'), ...errors },
        },
      },
      '/api/episodes/{id}/entered-in-error': {
        post: {
          summary:
            'Remove a treated joint (joint, side, KL grade, diagnosis) entered in error, with a reason: it leaves every analysis and export; the history keeps it',
          parameters: [idParam('id')],
          requestBody: body(enteredInErrorSchema),
          responses: { 200: ok('Removed'), ...errors },
        },
      },
      '/api/treatments/{id}': {
        patch: {
          summary:
            'Correct a treatment (a changed date moves the unanswered follow-up windows; the reply lists them) (clinicians, admins) with a reason; old and new values are audited',
          parameters: [idParam('id')],
          requestBody: body(treatmentCorrectionSchema),
          responses: { 200: ok('The fields corrected'), ...errors },
        },
      },
      '/api/treatments/{id}/entered-in-error': {
        post: {
          summary:
            'Remove a treatment (a changed date moves the unanswered follow-up windows; the reply lists them) entered in error, with a reason: it leaves every analysis and export; the history keeps it',
          parameters: [idParam('id')],
          requestBody: body(enteredInErrorSchema),
          responses: { 200: ok('Removed'), ...errors },
        },
      },
      '/api/adverse-events/{id}': {
        patch: {
          summary:
            'Correct an adverse event (clinicians, admins) with a reason; old and new values are audited',
          parameters: [idParam('id')],
          requestBody: body(adverseEventCorrectionSchema),
          responses: { 200: ok('The fields corrected'), ...errors },
        },
      },
      '/api/adverse-events/{id}/entered-in-error': {
        post: {
          summary:
            'Remove an adverse event entered in error, with a reason: it leaves every analysis and export; the history keeps it',
          parameters: [idParam('id')],
          requestBody: body(enteredInErrorSchema),
          responses: { 200: ok('Removed'), ...errors },
        },
      },
      '/api/events/{id}': {
        patch: {
          summary:
            'Correct a later event (clinicians, admins) with a reason; old and new values are audited',
          parameters: [idParam('id')],
          requestBody: body(eventCorrectionSchema),
          responses: { 200: ok('The fields corrected'), ...errors },
        },
      },
      '/api/events/{id}/entered-in-error': {
        post: {
          summary:
            'Remove a later event entered in error, with a reason: it leaves every analysis and export; the history keeps it',
          parameters: [idParam('id')],
          requestBody: body(enteredInErrorSchema),
          responses: { 200: ok('Removed'), ...errors },
        },
      },
      '/api/responses/{id}': {
        patch: {
          summary:
            'Correct a questionnaire’s answers (rescored by the scoring engine) (clinicians, admins) with a reason; old and new values are audited',
          parameters: [idParam('id')],
          requestBody: body(responseCorrectionSchema),
          responses: { 200: ok('The fields corrected'), ...errors },
        },
      },
      '/api/responses/{id}/entered-in-error': {
        post: {
          summary:
            'Remove a questionnaire’s answers (rescored by the scoring engine) entered in error, with a reason: it leaves every analysis and export; the history keeps it',
          parameters: [idParam('id')],
          requestBody: body(enteredInErrorSchema),
          responses: { 200: ok('Removed'), ...errors },
        },
      },
      '/api/unsubscribe/{token}': {
        get: {
          summary:
            "The language of the unsubscribe page: the catalogue of the patient's recorded language (locale, dir, messages); changes nothing (no account)",
          security: [],
          parameters: [{ name: 'token', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { 200: ok('The patient’s language'), 404: errors[404] },
        },
        post: {
          summary: 'Stop survey e-mails for the patient the link in an e-mail names (no account)',
          security: [],
          parameters: [{ name: 'token', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { 200: ok('Unsubscribed'), 404: errors[404] },
        },
      },
      '/api/survey/{token}': {
        get: {
          summary: 'Open a survey link (no account)',
          security: [],
          parameters: [tokenParam],
          responses: {
            200: ok(
              "Questionnaires and saved answers, in the patient's recorded language, with that language's catalogue of survey messages (locale, dir, messages)",
            ),
            404: errors[404],
            410: { description: 'Already submitted or expired' },
          },
        },
      },
      '/api/survey/{token}/draft': {
        put: {
          summary: 'Autosave answers so far',
          security: [],
          parameters: [tokenParam],
          requestBody: answersBody,
          responses: {
            200: ok('Saved'),
            400: errors[400],
            404: errors[404],
            410: { description: 'Already submitted or expired' },
          },
        },
      },
      '/api/survey/{token}/lock': {
        post: {
          summary:
            'Lock a clinic tablet (no account; the link is the credential): a tablet link stops working at once (reason idle, done or left). Any other token gets the same answer and nothing changes',
          security: [],
          parameters: [tokenParam],
          requestBody: body(tabletLockSchema),
          responses: { 200: ok('{ locked: true }'), 400: errors[400] },
        },
      },
      '/api/survey/{token}/submit': {
        post: {
          summary: 'Submit the survey; scores are computed',
          security: [],
          parameters: [tokenParam],
          requestBody: answersBody,
          responses: {
            201: ok('Scored'),
            400: errors[400],
            404: errors[404],
            409: { description: 'Already submitted' },
            410: { description: 'Expired' },
          },
        },
      },
    },
  };
  return cached;
}
