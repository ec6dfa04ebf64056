import { z } from 'zod';
import { COHORT_OPTIONS } from '../app/analytics/report.ts';
import { metaRequestSchema } from '../app/evidence/meta.ts';
import { issueSurveySchema } from '../app/follow-up/surveys.ts';
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
    },
  }),
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
            "Your site's follow-up worklist (due and overdue by default) and completeness per time point",
          parameters: [
            {
              name: 'status',
              in: 'query',
              schema: {
                type: 'string',
                enum: ['upcoming', 'due', 'overdue', 'completed', 'missed'],
              },
            },
            { name: 'timepoint', in: 'query', schema: { type: 'string' } },
          ],
          responses: { 200: ok('Worklist and flow'), 400: errors[400], 401: errors[401] },
        },
      },
      '/api/message-templates': {
        get: {
          summary: "Your registry's survey e-mail templates per language, and StemTrack's defaults",
          responses: { 200: ok('Templates'), 401: errors[401], 403: errors[403] },
        },
        put: {
          summary:
            'Set a template (admins): language, kind (invitation|reminder), subject, body with {{link}} and {{unsubscribeLink}}',
          responses: { 200: ok('Templates'), 400: errors[400], 401: errors[401], 403: errors[403] },
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
            'Outcomes per time point at your site: n, mean (SD), 95% CI, change from baseline with 95% CI, the mixed-model trajectory, shares past each scale’s MCID and in its PASS, and OMERACT-OARSI responders',
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
            200: ok('Signed in; sets the session cookie'),
            401: errors[401],
            429: { description: 'Too many failed sign-ins' },
          },
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
      '/api/unsubscribe/{token}': {
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
            200: ok('Questionnaires and saved answers'),
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
