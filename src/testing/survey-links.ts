import { createUser } from '../app/access/auth.ts';
import type { Db } from '../store/db.ts';
import { migrate } from '../store/migrate.ts';
import { Client, enrolTreatedPatient, PASSWORD, testApp, testClock, tokenOf } from './http.ts';

/** Complete answers for a knee's baseline survey (NRS + all 42 KOOS items). */
export const KNEE_BASELINE_ANSWERS = {
  'nrs-pain': { NRS: 6 },
  koos: Object.fromEntries(
    [
      ...Array.from({ length: 9 }, (_, i) => `P${i + 1}`),
      ...Array.from({ length: 7 }, (_, i) => `S${i + 1}`),
      ...Array.from({ length: 17 }, (_, i) => `A${i + 1}`),
      ...Array.from({ length: 5 }, (_, i) => `SP${i + 1}`),
      ...Array.from({ length: 4 }, (_, i) => `Q${i + 1}`),
    ].map((code) => [code, 2]),
  ),
};

/**
 * A clinic (migrated database, one clinician) with `links` open baseline survey links, one
 * per treated knee (a new link replaces a joint's live one), issued through the API; returns
 * the links' tokens. For load and crash tests.
 */
export async function prepareSurveyLinks(db: Db, links: number): Promise<string[]> {
  await migrate(db);
  await createUser(db, 'Harbour', {
    email: 'clin@harbour.test',
    name: 'clin',
    role: 'clinician',
    password: PASSWORD,
  });
  const { app } = testApp(db, testClock(new Date().toISOString()));
  const clinician = new Client(app);
  await clinician.signIn('clin@harbour.test');
  const tokens: string[] = [];
  while (tokens.length < links) {
    const { episodeId } = await enrolTreatedPatient(clinician);
    const issued = await clinician.call('POST', `/api/episodes/${episodeId}/surveys`, {
      timepoint: 'baseline',
      // The treatment's date is fixed and the clock is today's: the window may have closed.
      confirmOutsideWindow: true,
    });
    tokens.push(tokenOf(issued.body.url));
  }
  return tokens;
}
