import { createUser } from '../app/access/auth.ts';
import { ViewCache } from '../app/analytics/view-cache.ts';
import type { AppContext } from '../app/context.ts';
import { createHttpApp, SESSION_COOKIE } from '../server/app.ts';
import type { Db } from '../store/db.ts';
import { submissionBatcher } from '../store/submission-batch.ts';

export const PASSWORD = 'correct horse battery';

/** A clock tests can move; starts at a fixed instant so dates in assertions are known. */
export function testClock(start = '2026-03-02T09:00:00Z') {
  let now = new Date(start);
  return {
    now: () => new Date(now),
    advanceDays(days: number) {
      now = new Date(now.getTime() + days * 86_400_000);
    },
  };
}

/** The HTTP app on `db`, called in memory (no port), with a movable clock. */
export function testApp(db: Db, clock = testClock()) {
  const ctx: AppContext = {
    db,
    now: clock.now,
    publicUrl: 'http://stemtrack.test',
    views: new ViewCache(),
    submissions: submissionBatcher(db),
  };
  return { app: createHttpApp(ctx, { tls: false }), clock, ctx };
}

type App = ReturnType<typeof testApp>['app'];

export interface Reply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON the API returned
  body: any;
  headers: Headers;
}

/** One browser's worth of state: its session cookie and CSRF token. */
export class Client {
  cookie = '';
  csrf = '';
  /** The socket address the server sees this client at; none when left unset. */
  address?: string;

  constructor(private readonly app: App) {}

  async call(
    method: string,
    path: string,
    body?: unknown,
    extra: Record<string, string> = {},
  ): Promise<Reply> {
    const headers: Record<string, string> = { ...extra };
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    if (this.cookie) headers.cookie = this.cookie;
    if (this.csrf && method !== 'GET' && !('x-csrf-token' in extra))
      headers['x-csrf-token'] = this.csrf;
    const res = await this.app.request(
      path,
      {
        method,
        headers,
        ...(body !== undefined
          ? { body: typeof body === 'string' ? body : JSON.stringify(body) }
          : {}),
      },
      this.address ? { incoming: { socket: { remoteAddress: this.address } } } : undefined,
    );
    const setCookie = res.headers.get('set-cookie');
    const match = setCookie && new RegExp(`${SESSION_COOKIE}=([^;]*)`).exec(setCookie);
    if (match) this.cookie = `${SESSION_COOKIE}=${match[1]}`;
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed, headers: res.headers };
  }

  async signIn(email: string, password = PASSWORD): Promise<Reply> {
    const reply = await this.call('POST', '/api/auth/login', { email, password });
    if (reply.status === 200) this.csrf = reply.body.csrfToken;
    return reply;
  }
}

/**
 * Two sites, each with a clinician; Harbour also has a researcher, and with `admin` an
 * admin (admin@harbour.test).
 */
export async function seedTwoSites(db: Db, options: { admin?: boolean } = {}) {
  const mk = (site: string, email: string, role: string) =>
    createUser(db, site, { email, name: email.split('@')[0], role, password: PASSWORD });
  const users = {
    harbourClinician: await mk('Harbour', 'clin@harbour.test', 'clinician'),
    harbourResearcher: await mk('Harbour', 'research@harbour.test', 'researcher'),
    northClinician: await mk('Northside', 'clin@north.test', 'clinician'),
  };
  if (options.admin) await mk('Harbour', 'admin@harbour.test', 'admin');
  return users;
}

export const ENROL_BODY = {
  givenName: 'Ada',
  familyName: 'Testperson',
  dateOfBirth: '1961-05-20',
  sex: 'female',
  email: 'ada@example.org',
  consentDate: '2026-03-01',
  consentGiven: true,
};

/** Enrols a patient with a right knee (KL 3) treated with BMAC on the clock's date. */
export async function enrolTreatedPatient(client: Client) {
  const patient = await client.call('POST', '/api/patients', ENROL_BODY);
  const episode = await client.call('POST', `/api/patients/${patient.body.id}/episodes`, {
    joint: 'knee',
    side: 'right',
    klGrade: 3,
  });
  const treatment = await client.call('POST', `/api/episodes/${episode.body.id}/treatments`, {
    treatmentDate: '2026-03-02',
    productClass: 'BMAC',
    cellDoseMillions: null,
    volumeMl: 8,
    imageGuidance: 'ultrasound',
  });
  return { patientId: patient.body.id as string, episodeId: episode.body.id as string, treatment };
}

export function tokenOf(url: string): string {
  const token = url.split('/s/')[1];
  if (!token) throw new Error(`no token in ${url}`);
  return token;
}
