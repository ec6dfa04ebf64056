import { randomBytes } from 'node:crypto';
import { getConnInfo } from '@hono/node-server/conninfo';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { compress } from 'hono/compress';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { routePath } from 'hono/route';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import {
  changePassword,
  confirmTwoFactor,
  disableTwoFactor,
  endOtherSessions,
  listSessions,
  regenerateRecoveryCodes,
  requestPasswordReset,
  setPasswordFromLink,
  startTwoFactor,
  twoFactorStatus,
} from '../app/access/account.ts';
import { auditLogCsv, auditLogPage, verifySiteAuditLog } from '../app/access/audit.ts';
import {
  type LoginOutcome,
  login,
  logout,
  type SignInClient,
  sessionFor,
  verifySecondFactor,
} from '../app/access/auth.ts';
import {
  accessSettings,
  changeRole,
  deactivate,
  inviteUser,
  issueSignInLink,
  listUsers,
  updateAccessSettings,
} from '../app/access/users.ts';
import { siteDoseResponse } from '../app/analytics/dose-response.ts';
import { EXPORT_FILES, EXPORT_KINDS, exportForUser } from '../app/analytics/export.ts';
import {
  siteBenchmark,
  siteCompleteness,
  siteDurability,
  siteOutcomeReport,
} from '../app/analytics/report.ts';
import type { AppContext, UserActor } from '../app/context.ts';
import { evidenceOverview, registryEvidence } from '../app/evidence/evidence.ts';
import { metaAnalysisFor } from '../app/evidence/meta.ts';
import { followUpOverview, undeliveredEmails } from '../app/follow-up/followup.ts';
import { unsubscribe, unsubscribeLanguage } from '../app/follow-up/mail.ts';
import {
  callListFor,
  logCallAttempt,
  patientContact,
  siteOutreach,
  startInterview,
  updatePatientContact,
} from '../app/follow-up/outreach.ts';
import {
  enterPaperForm,
  lockTablet,
  paperFormFor,
  printPaperForm,
  settlePaperForm,
  startTablet,
} from '../app/follow-up/paper.ts';
import { getSchedule, updateSchedule } from '../app/follow-up/schedule.ts';
import { type ProviderCallback, smsInbound, smsStatusCallback } from '../app/follow-up/sms.ts';
import {
  issueSurvey,
  openSurvey,
  saveSurveyDraft,
  submitSurvey,
} from '../app/follow-up/surveys.ts';
import { messageTemplates, setMessageTemplate } from '../app/follow-up/templates.ts';
import { digestToken } from '../app/follow-up/tokens.ts';
import { instrumentCatalogue, instrumentQuestions } from '../app/instruments.ts';
import { recordAdverseEvent, siteSafety } from '../app/registry/adverse-events.ts';
import { recordClinicEvent, setStatus, withdrawConsent } from '../app/registry/consent.ts';
import {
  correctAdverseEvent,
  correctEpisode,
  correctPatient,
  correctPatientEvent,
  correctResponse,
  correctTreatment,
  enteredInError,
  patientHistoryFor,
} from '../app/registry/corrections.ts';
import { dataQualityQueries, verifyQuery } from '../app/registry/data-quality.ts';
import {
  addEpisode,
  addTreatment,
  enrolPatient,
  listPatientsFor,
  markFreeTextReviewed,
  patientRecord,
} from '../app/registry/patients.ts';
import { DomainError, type ErrorCode, RetryLaterError } from '../core/errors.ts';
import { toQuestionnaire } from '../core/fhir/instruments.ts';
import { allInstruments, instrumentById } from '../core/instruments/library.ts';
import { askedWithin } from '../core/instruments/shared-items.ts';
import {
  ADVERSE_EVENT_GRADES,
  BMI_CLASSES,
  CELL_DOSE_BANDS,
  CELL_SOURCES,
  IMAGE_GUIDANCE,
  JOINTS,
  PRODUCT_CLASSES,
  RELATEDNESS,
  SEXES,
  SIDES,
} from '../core/registry/vocabulary.ts';
import { DEFAULT_SCHEDULE } from '../core/schedule/timepoints.ts';
import { badJsonValue, badQueryString, integerParam } from '../core/validation.ts';
import { openApiDocument } from './openapi.ts';
import { serveWebApp } from './static.ts';

export const SESSION_COOKIE = 'stemtrack_session';
const STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  gone: 410,
  'rate-limited': 429,
  unavailable: 503,
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_BODY_BYTES = 256 * 1024;

export interface HttpOptions {
  /** Serve cookies with `Secure` and send HSTS: set when StemTrack is reached over HTTPS. */
  tls: boolean;
  /** Folder of the built web app; omitted in API-only tests. */
  webRoot?: string;
}

type Env = {
  Variables: {
    actor: UserActor;
    csrfToken: string;
    sessionDigest: string;
    mustEnrolTwoFactor: boolean;
  };
};
/** What a session that must still set up two-factor sign-in may reach. */
const ENROLMENT_PATHS = new Set([
  '/api/auth/me',
  '/api/auth/logout',
  '/api/auth/two-factor',
  '/api/auth/two-factor/setup',
  '/api/auth/two-factor/confirm',
]);

/**
 * A provider's callback, with the URL it was sent to as the provider saw it: the public URL
 * (behind a proxy the request's own host differs) with this path and query. A form's fields
 * are its parameters; a JSON object's text, number and true/false fields are, and its raw
 * body goes along, as the provider signs it through its hash.
 */
async function providerCallback(request: Request, publicUrl: string): Promise<ProviderCallback> {
  const type = (request.headers.get('content-type') ?? '').toLowerCase();
  const form = type.startsWith('application/x-www-form-urlencoded');
  if (!form && !type.startsWith('application/json'))
    throw new DomainError('invalid', 'Send the callback form-encoded or as JSON', [
      {
        field: '(body)',
        message: 'Content-Type must be application/x-www-form-urlencoded or application/json',
      },
    ]);
  const text = await request.text();
  const params: Record<string, string> = {};
  if (form) for (const [k, v] of new URLSearchParams(text)) params[k] = v;
  else {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined; // unreadable: its signature decides, and then nothing can be read
    }
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      for (const [k, v] of Object.entries(parsed))
        if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
          params[k] = String(v);
  }
  const url = new URL(request.url);
  return {
    url: `${publicUrl.replace(/\/$/, '')}${url.pathname}${url.search}`,
    params,
    headers: request.headers,
    ...(form ? {} : { body: text }),
  };
}

export function createHttpApp(ctx: AppContext, options: HttpOptions) {
  const app = new Hono<Env>();
  app.use('*', async (c, next) => {
    await next();
    const h = c.res.headers;
    h.set(
      'Content-Security-Policy',
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    );
    h.set('X-Content-Type-Options', 'nosniff');
    h.set('X-Frame-Options', 'DENY');
    // Survey links carry their token in the path: never leak it to another site.
    h.set('Referrer-Policy', 'no-referrer');
    h.set('Cross-Origin-Opener-Policy', 'same-origin');
    if (options.tls) h.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    if (c.req.path.startsWith('/api/')) h.set('Cache-Control', 'no-store');
  });

  app.onError((error, c) => {
    if (error instanceof RetryLaterError) c.header('Retry-After', String(error.retryAfterSeconds));
    if (error instanceof DomainError) {
      return c.json(
        { error: { code: error.code, message: error.message, fields: error.fields } },
        STATUS[error.code],
      );
    }
    // The log gets an id the user can quote and where it failed, never values: a database
    // error's message and parameters can hold a patient's name, birth date or e-mail.
    const errorId = randomBytes(6).toString('hex');
    console.error(
      `unexpected error ${errorId}: ${c.req.method} ${routePath(c)} ${describeForLog(error)}`,
    );
    return c.json(
      {
        error: {
          code: 'internal',
          message: `Something went wrong on our side; nothing was changed. If it happens again, quote error id ${errorId}.`,
          errorId,
        },
      },
      500,
    );
  });

  const api = new Hono<Env>();
  const tooLarge = (c: Context) =>
    c.json(
      {
        error: {
          code: 'invalid',
          message: `Request body is too large: at most ${MAX_BODY_BYTES / 1024} kB`,
          fields: [],
        },
      },
      413,
    );
  const countedBodyLimit = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: tooLarge });
  // hono's bodyLimit first asks for the request's body stream (to see whether it has one),
  // which makes the Node adapter build a whole web Request and stream for every call: a fifth
  // of a survey submission's CPU in issue 17's profile. The same checks from the headers: a
  // declared length (Node's parser reads exactly that many bytes); any other body is counted as
  // it streams by hono's. The Node adapter gives a GET or HEAD no body, and no route reads one.
  api.use('*', async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined)
      return Number(length) > MAX_BODY_BYTES ? tooLarge(c) : next();
    return countedBodyLimit(c, next);
  });

  // Query strings are checked once, here: bad percent-encoding or a control character in any
  // parameter is a 400 naming it, before a route or the database sees the value.
  api.use('*', async (c, next) => {
    const url = c.req.url;
    const q = url.indexOf('?');
    const problem = q < 0 ? null : badQueryString(url.slice(q + 1));
    if (problem) throw new DomainError('invalid', `Please correct: ${problem.field}`, [problem]);
    await next();
  });

  api.get('/health', async (c) => {
    await ctx.db.query('select 1');
    return c.json({ ok: true, database: ctx.db.kind });
  });
  api.get('/openapi.json', (c) => c.json(openApiDocument()));
  api.get('/vocabulary', (c) =>
    c.json({
      productClasses: PRODUCT_CLASSES,
      cellSources: CELL_SOURCES,
      cellDoseBands: CELL_DOSE_BANDS,
      bmiClasses: BMI_CLASSES,
      joints: JOINTS,
      sides: SIDES,
      sexes: SEXES,
      imageGuidance: IMAGE_GUIDANCE,
      timepoints: DEFAULT_SCHEDULE.map(({ id, label }) => ({ id, label })),
      adverseEventGrades: ADVERSE_EVENT_GRADES,
      relatedness: RELATEDNESS,
      // Whether survey e-mails go out, so the clinic's screens never say "sent" when they do not.
      emailOn: ctx.mail !== undefined,
      instruments: allInstruments().map((def, _, all) => ({
        id: def.id,
        name: def.name,
        shortName: def.shortName,
        joints: def.joints,
        offeredByDefault: def.offeredByDefault !== false,
        /** Instruments that ask all of this one's items: asking both adds no question. */
        askedWithin: askedWithin(def, all),
        scales: def.scales.map((sc) => ({
          id: sc.id,
          name: sc.name,
          shortName: sc.shortName,
          range: sc.range,
          higherIsBetter: sc.higherIsBetter,
          caveat: sc.caveat ?? null,
        })),
        caveat: def.caveat ?? null,
      })),
    }),
  );

  api.get('/evidence', async (c) => c.json(await evidenceOverview(ctx)));

  // --- sessions -----------------------------------------------------------------------
  const client = (c: Context<Env>): SignInClient => ({
    address: clientAddress(c),
    userAgent: c.req.header('user-agent') ?? '',
  });
  const signedIn = (c: Context<Env>, outcome: LoginOutcome) => {
    if (outcome.kind === 'second-factor')
      return c.json({ secondFactor: true, challenge: outcome.challenge });
    setCookie(c, SESSION_COOKIE, outcome.sessionToken, {
      httpOnly: true,
      secure: options.tls,
      sameSite: 'Lax',
      path: '/',
      expires: outcome.expiresAt,
    });
    return c.json({
      user: outcome.user,
      csrfToken: outcome.csrfToken,
      mustEnrolTwoFactor: outcome.mustEnrolTwoFactor,
    });
  };
  api.post('/auth/login', async (c) =>
    signedIn(c, await login(ctx, await jsonBody(c.req.raw), client(c))),
  );
  api.post('/auth/login/second-factor', async (c) =>
    signedIn(c, await verifySecondFactor(ctx, await jsonBody(c.req.raw), client(c))),
  );
  api.post('/auth/password-reset', async (c) =>
    c.json(await requestPasswordReset(ctx, await jsonBody(c.req.raw), clientAddress(c))),
  );
  api.post('/auth/set-password', async (c) =>
    c.json(await setPasswordFromLink(ctx, await jsonBody(c.req.raw))),
  );

  // Everything below needs a signed-in user; changes also need the session's CSRF token.
  const authed = new Hono<Env>();
  authed.use('*', async (c, next) => {
    const token = getCookie(c, SESSION_COOKIE);
    const session = token ? await sessionFor(ctx, token) : undefined;
    if (!session) throw new DomainError('unauthenticated', 'Please sign in');
    if (
      c.req.method !== 'GET' &&
      c.req.method !== 'HEAD' &&
      c.req.header('x-csrf-token') !== session.csrfToken
    ) {
      throw new DomainError(
        'forbidden',
        'Missing or wrong CSRF token; reload the page and try again',
      );
    }
    // A session opened before a required second factor was set up may only set it up.
    if (session.mustEnrolTwoFactor && !ENROLMENT_PATHS.has(c.req.path)) {
      throw new DomainError(
        'forbidden',
        'Your clinic requires two-factor sign-in: set it up under Account before going on',
      );
    }
    c.set('actor', { kind: 'user', user: session.user });
    c.set('csrfToken', session.csrfToken);
    c.set('sessionDigest', digestToken(token ?? ''));
    c.set('mustEnrolTwoFactor', session.mustEnrolTwoFactor);
    await next();
  });

  // Reports, exports and the worklist read much of the registry: admitted a few at a time.
  const HEAVY = /^\/api\/(report(\/[a-z-]+)?|export\/[^/]+|follow-up|evidence\/registry)$/;
  authed.use('*', async (c, next) => {
    if (c.req.method !== 'GET' || !ctx.heavy || !HEAVY.test(c.req.path)) return next();
    await ctx.heavy.run(next);
  });

  authed.get('/auth/me', (c) =>
    c.json({
      user: c.var.actor.user,
      csrfToken: c.var.csrfToken,
      mustEnrolTwoFactor: c.var.mustEnrolTwoFactor,
    }),
  );
  // --- your account, and the site's users (admins) ------------------------------------
  authed.post('/auth/password', async (c) =>
    c.json(
      await changePassword(
        ctx,
        c.var.actor,
        c.var.sessionDigest,
        await jsonBody(c.req.raw),
        clientAddress(c),
      ),
    ),
  );
  authed.get('/auth/sessions', async (c) =>
    c.json({ sessions: await listSessions(ctx, c.var.actor, c.var.sessionDigest) }),
  );
  authed.post('/auth/sessions/end-others', async (c) =>
    c.json(await endOtherSessions(ctx, c.var.actor, c.var.sessionDigest)),
  );
  authed.get('/auth/two-factor', async (c) => c.json(await twoFactorStatus(ctx, c.var.actor)));
  authed.post('/auth/two-factor/setup', async (c) =>
    c.json(await startTwoFactor(ctx, c.var.actor)),
  );
  authed.post('/auth/two-factor/confirm', async (c) =>
    c.json(await confirmTwoFactor(ctx, c.var.actor, await jsonBody(c.req.raw))),
  );
  authed.post('/auth/two-factor/disable', async (c) =>
    c.json(await disableTwoFactor(ctx, c.var.actor, await jsonBody(c.req.raw), clientAddress(c))),
  );
  authed.post('/auth/two-factor/recovery-codes', async (c) =>
    c.json(
      await regenerateRecoveryCodes(ctx, c.var.actor, await jsonBody(c.req.raw), clientAddress(c)),
    ),
  );
  authed.get('/users', async (c) => c.json({ users: await listUsers(ctx, c.var.actor) }));
  authed.post('/users/invitations', async (c) =>
    c.json(await inviteUser(ctx, c.var.actor, await jsonBody(c.req.raw)), 201),
  );
  authed.put('/users/:id/role', async (c) =>
    c.json(
      await changeRole(
        ctx,
        c.var.actor,
        uuidParam(c.req.param('id'), 'User'),
        await jsonBody(c.req.raw),
      ),
    ),
  );
  authed.post('/users/:id/deactivate', async (c) =>
    c.json(await deactivate(ctx, c.var.actor, uuidParam(c.req.param('id'), 'User'))),
  );
  authed.post('/users/:id/sign-in-link', async (c) =>
    c.json(await issueSignInLink(ctx, c.var.actor, uuidParam(c.req.param('id'), 'User'))),
  );
  authed.get('/access-settings', async (c) => c.json(await accessSettings(ctx, c.var.actor)));
  authed.put('/access-settings', async (c) =>
    c.json(await updateAccessSettings(ctx, c.var.actor, await jsonBody(c.req.raw))),
  );
  authed.post('/auth/logout', async (c) => {
    const token = getCookie(c, SESSION_COOKIE);
    if (token) await logout(ctx, token);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.json({ ok: true });
  });

  // --- patients -----------------------------------------------------------------------
  authed.get('/patients', async (c) => {
    const limit = integerParam(c.req.query('limit'), 'limit', {
      fallback: 50,
      min: 1,
      max: 10_000,
    });
    const offset = integerParam(c.req.query('offset'), 'offset', {
      fallback: 0,
      min: 0,
      max: 1_000_000_000,
    });
    const search = c.req.query('search');
    return c.json(
      await listPatientsFor(ctx, c.var.actor, { limit, offset, ...(search ? { search } : {}) }),
    );
  });
  authed.post('/patients', async (c) =>
    c.json(await enrolPatient(ctx, c.var.actor, await jsonBody(c.req.raw)), 201),
  );
  authed.get('/data-quality', async (c) => c.json(await dataQualityQueries(ctx, c.var.actor)));
  authed.post('/data-quality/reviews', async (c) =>
    c.json(await verifyQuery(ctx, c.var.actor, await jsonBody(c.req.raw))),
  );
  authed.post('/free-text-reviews', async (c) =>
    c.json(await markFreeTextReviewed(ctx, c.var.actor, await jsonBody(c.req.raw))),
  );
  authed.get('/patients/:id', async (c) =>
    c.json(await patientRecord(ctx, c.var.actor, uuidParam(c.req.param('id'), 'Patient'))),
  );
  /** POST /…/:id/… with a JSON body: the use case gets the id (404 if not a UUID) and the body. */
  const createUnder =
    (
      what: string,
      useCase: (ctx: AppContext, actor: UserActor, id: string, body: unknown) => Promise<unknown>,
    ) =>
    async (c: Context<Env>) =>
      c.json(
        await useCase(
          ctx,
          c.var.actor,
          uuidParam(c.req.param('id') ?? '', what),
          await jsonBody(c.req.raw),
        ),
        201,
      );
  authed.get('/instruments', (c) => c.json(instrumentCatalogue(c.var.actor)));
  authed.get('/instruments/:id', (c) =>
    c.json(instrumentQuestions(c.var.actor, c.req.param('id'))),
  );
  authed.get('/instruments/:id/fhir', (c) =>
    c.json(toQuestionnaire(instrumentById(c.req.param('id'))), 200, {
      'Content-Type': 'application/fhir+json',
    }),
  );
  authed.get('/message-templates', async (c) => c.json(await messageTemplates(ctx, c.var.actor)));
  authed.put('/message-templates', async (c) =>
    c.json(await setMessageTemplate(ctx, c.var.actor, await jsonBody(c.req.raw))),
  );
  authed.get('/report/durability', async (c) =>
    c.json(await siteDurability(ctx, c.var.actor, c.req.query())),
  );
  authed.get('/report/completeness', async (c) =>
    c.json(await siteCompleteness(ctx, c.var.actor, c.req.query())),
  );
  authed.get('/report/outreach', async (c) =>
    c.json(await siteOutreach(ctx, c.var.actor, c.req.query())),
  );
  authed.get('/report/benchmark', async (c) =>
    c.json(await siteBenchmark(ctx, c.var.actor, c.req.query())),
  );
  authed.get('/report/dose-response', async (c) =>
    c.json(await siteDoseResponse(ctx, c.var.actor, c.req.query())),
  );
  authed.get('/report/safety', async (c) =>
    c.json(await siteSafety(ctx, c.var.actor, c.req.query())),
  );
  for (const kind of EXPORT_KINDS) {
    authed.get(`/export/${EXPORT_FILES[kind]}`, async (c) => {
      const file = await exportForUser(ctx, c.var.actor, kind, c.req.query());
      return c.body(file.body, 200, {
        'Content-Type': file.contentType,
        'Content-Disposition': `attachment; filename="${file.fileName}"`,
        'Cache-Control': 'no-store',
      });
    });
  }
  // --- the audit log (admins; every read is itself audited) ---------------------------
  authed.get('/audit', async (c) => c.json(await auditLogPage(ctx, c.var.actor, c.req.query())));
  authed.get('/audit/log.csv', async (c) => {
    const file = await auditLogCsv(ctx, c.var.actor, c.req.query());
    return c.body(file.body, 200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${file.fileName}"`,
      'Cache-Control': 'no-store',
    });
  });
  authed.get('/audit/verify', async (c) => c.json(await verifySiteAuditLog(ctx, c.var.actor)));
  authed.get('/report', async (c) =>
    c.json(await siteOutcomeReport(ctx, c.var.actor, c.req.query())),
  );
  authed.get('/schedule', async (c) => c.json(await getSchedule(ctx, c.var.actor)));
  authed.put('/schedule', async (c) =>
    c.json(await updateSchedule(ctx, c.var.actor, await jsonBody(c.req.raw))),
  );
  authed.get('/follow-up/undelivered', async (c) =>
    c.json(await undeliveredEmails(ctx, c.var.actor)),
  );
  authed.get('/follow-up', async (c) =>
    c.json(await followUpOverview(ctx, c.var.actor, c.req.query())),
  );
  authed.post('/meta', async (c) => c.json(await metaAnalysisFor(ctx, await jsonBody(c.req.raw))));
  authed.get('/evidence/registry', async (c) => c.json(await registryEvidence(ctx, c.var.actor)));
  authed.post('/patients/:id/episodes', createUnder('Patient', addEpisode));
  authed.post('/episodes/:id/treatments', createUnder('Joint episode', addTreatment));
  authed.post('/episodes/:id/surveys', createUnder('Joint episode', issueSurvey));
  authed.post('/episodes/:id/adverse-events', createUnder('Joint episode', recordAdverseEvent));

  // --- corrections, later events, consent withdrawal and erasure (issue 14) ----------
  /** PATCH or POST /…/:id with a JSON body, answered 200: a change to an existing record. */
  const changeAt =
    (
      what: string,
      useCase: (ctx: AppContext, actor: UserActor, id: string, body: unknown) => Promise<unknown>,
    ) =>
    async (c: Context<Env>) =>
      c.json(
        await useCase(
          ctx,
          c.var.actor,
          uuidParam(c.req.param('id') ?? '', what),
          await jsonBody(c.req.raw),
        ),
      );
  authed.get('/patients/:id/history', async (c) =>
    c.json(await patientHistoryFor(ctx, c.var.actor, uuidParam(c.req.param('id'), 'Patient'))),
  );
  authed.patch('/patients/:id', changeAt('Patient', correctPatient));
  // --- reaching patients: contact details, the call list, phone interviews (issue 15) --
  authed.get('/patients/:id/contact', async (c) =>
    c.json(await patientContact(ctx, c.var.actor, uuidParam(c.req.param('id'), 'Patient'))),
  );
  authed.put('/patients/:id/contact', changeAt('Patient', updatePatientContact));
  authed.get('/call-list', async (c) => c.json(await callListFor(ctx, c.var.actor)));
  authed.post('/call-list/:id/attempts', createUnder('Survey', logCallAttempt));
  authed.post('/call-list/:id/interview', async (c) =>
    c.json(await startInterview(ctx, c.var.actor, uuidParam(c.req.param('id'), 'Survey')), 201),
  );
  // --- paper forms and the clinic tablet (issue 15) ------------------------------------
  authed.post('/surveys/:id/paper-form', async (c) => {
    const language = c.req.query('language');
    const form = await printPaperForm(
      ctx,
      c.var.actor,
      uuidParam(c.req.param('id'), 'Survey'),
      language === undefined ? {} : { language },
    );
    return c.body(form.pdf as Uint8Array<ArrayBuffer>, 201, {
      'Content-Type': 'application/pdf',
      'Content-Disposition': `attachment; filename="${form.filename}"`,
      'X-Form-Code': form.shortCode,
    });
  });
  authed.get('/paper-forms/:code', async (c) =>
    c.json(await paperFormFor(ctx, c.var.actor, c.req.param('code'))),
  );
  authed.post('/paper-forms/:code/entries', async (c) =>
    c.json(
      await enterPaperForm(ctx, c.var.actor, c.req.param('code'), await jsonBody(c.req.raw)),
      201,
    ),
  );
  authed.post('/paper-forms/:code/settle', async (c) =>
    c.json(await settlePaperForm(ctx, c.var.actor, c.req.param('code'), await jsonBody(c.req.raw))),
  );
  // Handing a survey over on a tablet signs the clinician out on this device in the same
  // request: the patient holding it has the survey's link and no clinic session.
  authed.post('/surveys/:id/tablet', async (c) => {
    const handed = await startTablet(ctx, c.var.actor, uuidParam(c.req.param('id'), 'Survey'));
    const token = getCookie(c, SESSION_COOKIE);
    if (token) await logout(ctx, token);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.json(handed, 201);
  });
  authed.post('/patients/:id/events', createUnder('Patient', recordClinicEvent));
  authed.post('/patients/:id/status', changeAt('Patient', setStatus));
  authed.post('/patients/:id/withdraw', changeAt('Patient', withdrawConsent));
  authed.patch('/episodes/:id', changeAt('Joint episode', correctEpisode));
  authed.patch('/treatments/:id', changeAt('Treatment', correctTreatment));
  authed.patch('/adverse-events/:id', changeAt('Adverse event', correctAdverseEvent));
  authed.patch('/events/:id', changeAt('Event', correctPatientEvent));
  authed.patch('/responses/:id', changeAt('Questionnaire response', correctResponse));
  for (const [path, entity, what] of [
    ['episodes', 'joint_episode', 'Joint episode'],
    ['treatments', 'treatment', 'Treatment'],
    ['adverse-events', 'adverse_event', 'Adverse event'],
    ['events', 'patient_event', 'Event'],
    ['responses', 'response', 'Questionnaire response'],
  ] as const)
    authed.post(`/${path}/:id/entered-in-error`, changeAt(what, enteredInError(entity)));

  // --- the patient's survey link: the token is the only credential -------------------
  // The questionnaires are the survey's largest download on a phone: sent compressed.
  api.get('/survey/:token', compress(), async (c) =>
    c.json(await openSurvey(ctx, c.req.param('token'))),
  );
  api.put('/survey/:token/draft', async (c) =>
    c.json(await saveSurveyDraft(ctx, c.req.param('token'), await jsonBody(c.req.raw))),
  );
  api.get('/unsubscribe/:token', async (c) =>
    c.json(await unsubscribeLanguage(ctx, ctx.mail, c.req.param('token'))),
  );
  api.post('/survey/:token/lock', async (c) =>
    c.json(await lockTablet(ctx, c.req.param('token'), await jsonBody(c.req.raw))),
  );
  api.post('/unsubscribe/:token', async (c) =>
    c.json(await unsubscribe(ctx, ctx.mail, c.req.param('token'))),
  );
  // --- the text message provider's callbacks: its request signature is the credential --
  api.post('/sms/status', async (c) =>
    c.json(await smsStatusCallback(ctx, ctx.sms, await providerCallback(c.req.raw, ctx.publicUrl))),
  );
  api.post('/sms/inbound', async (c) => {
    const reply = await smsInbound(ctx, ctx.sms, await providerCallback(c.req.raw, ctx.publicUrl));
    return c.body(reply.body, 200, { 'Content-Type': reply.contentType });
  });
  api.post('/survey/:token/submit', async (c) =>
    c.json(await submitSurvey(ctx, c.req.param('token'), await jsonBody(c.req.raw)), 201),
  );

  api.route('/', authed);
  api.all('*', () => {
    throw new DomainError('not-found', 'No such API route');
  });
  app.route('/api', api);
  if (options.webRoot) app.get('*', serveWebApp(options.webRoot));
  return app;
}

/**
 * The peer's socket address. X-Forwarded-For is not trusted: anyone can send it. Behind a
 * proxy every client shares the proxy's address, and the per-account limit still holds.
 */
function clientAddress(c: Parameters<typeof getConnInfo>[0]): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown'; // called in memory (tests), with no socket
  }
}

async function jsonBody(request: Request): Promise<unknown> {
  const type = request.headers.get('content-type') ?? '';
  if (!type.toLowerCase().startsWith('application/json')) {
    throw new DomainError('invalid', 'Send the body as JSON (Content-Type: application/json)', [
      { field: '(body)', message: 'Not JSON' },
    ]);
  }
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    throw new DomainError('invalid', 'The body is not valid JSON', [
      { field: '(body)', message: 'Not valid JSON' },
    ]);
  }
  // Every JSON body passes here: control characters and absurd nesting stop at the edge.
  const problem = badJsonValue(body);
  if (problem) throw new DomainError('invalid', `Please correct: ${problem.field}`, [problem]);
  return body;
}

/**
 * An unexpected error for the log: its kind, database error code and stack frames. Quoted
 * text is blanked from the message, as PostgreSQL quotes the offending value there.
 */
export function describeForLog(error: unknown): string {
  if (!(error instanceof Error)) return `(thrown ${typeof error})`;
  const code = (error as { code?: unknown }).code;
  const message = error.message
    .replace(/"[^"]*"|'[^']*'|\([^)]*\)=\([^)]*\)/g, '"…"')
    .slice(0, 200);
  const frames = (error.stack ?? '')
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .slice(0, 8)
    .join('\n');
  return `${error.name}${typeof code === 'string' ? ` [${code}]` : ''}: ${message}\n${frames}`;
}

/** An id that is not a UUID cannot name anything; answer 404 as for any unknown id. */
function uuidParam(value: string, what: string): string {
  if (!UUID.test(value)) throw new DomainError('not-found', `${what} not found`);
  return value.toLowerCase();
}
