import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { backends } from '../testing/databases.ts';
import { seedTwoSites } from '../testing/http.ts';
import { cancelContact } from './corrections.repo.ts';
import { insertEpisode, insertTreatment } from './patients.repo.ts';
import { insertAssignment } from './surveys.repo.ts';

/**
 * The road to sharding a network by site (Citus, distribution column `site_id`) stays open:
 * every registry table carries `site_id`, and every statement in the store that reads or
 * writes patient data names its site (or is listed below as network-wide, with the reason).
 * See docs/ARCHITECTURE.md, "A network past one PostgreSQL server".
 */

/** Tables without `site_id`, and why each is not sharded by site. */
const NOT_BY_SITE: Record<string, string> = {
  sites: 'the sites themselves: a small reference table every node joins against',
  evidence_trial_arms: 'published trials: literature shared by the whole network (reference)',
  licensed_instruments: 'questionnaire definitions the network uses (reference)',
  instrument_translations:
    'translations of those questionnaires, shared by the network (reference)',
  registry_flags: 'network-wide switches (reference)',
  outcome_rules:
    'the MCID, PASS and responder rule the dashboard sums count against, one for the network (reference)',
  schema_migrations: 'the schema version, one per database (coordinator)',
  audit_chain_heads:
    'keyed by site_key (the site id, or zeros for rows of no site): distributed on that column',
  sessions: 'staff sign-in, found by a token digest before any site is known (coordinator)',
  sign_in_challenges: 'staff second-factor step, found by a token digest (coordinator)',
  sign_in_throttle: 'keyed by e-mail and address before any site is known (coordinator)',
  account_tokens: 'staff invitation and reset links, found by a token digest (coordinator)',
  recovery_codes: "a staff member's two-factor recovery codes (coordinator, with users)",
};

/** Tables holding a patient's data: their statements must name the site. */
const PATIENT_TABLES = [
  'patients',
  'patient_identities',
  'joint_episodes',
  'treatments',
  'responses',
  'response_scores',
  'patient_events',
  'adverse_events',
  'survey_assignments',
  'outcome_joint_scores',
  'audit_personal_values',
  'audit_log',
];

/**
 * Statements on patient data that do not name one site, by file and function, and why. A
 * network-wide aggregate fans out to every shard; a token lookup finds the site in its row.
 */
const WITHOUT_ONE_SITE: Record<string, string> = {
  'surveys.repo.ts:findAssignmentByTokenDigest':
    "a survey link's token is the patient's only credential: the site comes from the row found",
  'surveys.repo.ts:submitByTokenDigests':
    'the same token lookup, storing the answers under the site of the row it finds',
  'outreach.repo.ts:setSmsConsentByMobile':
    "a STOP or START reply comes from the phone's owner, whichever clinic texted them: every site's patients with that number",
  'corrections.repo.ts:recordedErasures':
    'network-wide: every erasure in the log, re-applied after a restore',
  'analytics.repo.ts:rowsQuery':
    'network-wide aggregate grouped by site (the benchmark); with a site, its filter is added as a bound condition',
};

/** Calls whose SQL is not written at the call, and what it is. */
const SQL_BUILT_ELSEWHERE: Record<string, string> = {
  'analytics.repo.ts:registryVersion':
    "one of two literals: the site's counters, or every site's (registry_versions, no patient data)",
  'demo-outreach.repo.ts:batched':
    "the demo seed's outreach: its inserts write site_id; its updates match ids of rows the same seed has just written",
  'demo.repo.ts:insertRegistryRows':
    'the demo seed: one INSERTS statement per table, each inserting the site_id column',
};

const STORE = fileURLToPath(new URL('.', import.meta.url));

/** Reads a template literal from `start` (its backtick); `${…}` keeps its code's text. */
function templateAt(src: string, start: number): { text: string; end: number } {
  let i = start + 1;
  let text = '';
  while (i < src.length && src[i] !== '`') {
    if (src[i] === '\\') {
      text += src.slice(i, i + 2);
      i += 2;
    } else if (src.startsWith('${', i)) {
      const inner = codeUntilBrace(src, i + 2);
      text += inner.text;
      i = inner.end + 1;
    } else text += src[i++];
  }
  return { text, end: i };
}

/** Code up to its closing brace, with nested templates and strings read whole. */
function codeUntilBrace(src: string, start: number): { text: string; end: number } {
  let depth = 0;
  let i = start;
  let text = '';
  while (i < src.length) {
    const c = src[i] as string;
    if (c === '`') {
      const t = templateAt(src, i);
      text += t.text;
      i = t.end + 1;
    } else if (c === "'" || c === '"') {
      const close = src.indexOf(c, i + 1);
      text += src.slice(i, close + 1);
      i = close + 1;
    } else if (c === '{') {
      depth++;
      text += c;
      i++;
    } else if (c === '}') {
      if (depth === 0) return { text, end: i };
      depth--;
      text += c;
      i++;
    } else text += src[i++];
  }
  return { text, end: i };
}

interface Statement {
  where: string;
  fn: string;
  sql: string | null;
}

/** The first argument of every `.query(` call in the store's code, with its function. */
function storeStatements(): Statement[] {
  const out: Statement[] = [];
  const files = readdirSync(STORE).filter(
    (f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'db.ts',
  );
  for (const file of files) {
    const src = readFileSync(join(STORE, file), 'utf8');
    const call = /\.query(?:<[\s\S]*?>)?\(\s*/g;
    for (let m = call.exec(src); m; m = call.exec(src)) {
      const at = m.index + m[0].length;
      const before = src.slice(0, m.index);
      // The top-level function the call is in (helpers nested inside it are not its name).
      const fns = [...before.matchAll(/^(?:export\s+)?(?:async\s+)?function\s+(\w+)/gm)];
      const fn = `${file}:${fns.at(-1)?.[1] ?? '?'}`;
      const where = `${file}:${before.split('\n').length}`;
      // Comments between the call and its SQL are skipped.
      const i = at + (/^(?:\/\/[^\n]*\n\s*)*/.exec(src.slice(at))?.[0].length ?? 0);
      const c = src[i];
      if (c === '`') out.push({ where, fn, sql: templateAt(src, i).text });
      else if (c === "'") out.push({ where, fn, sql: src.slice(i + 1, src.indexOf("'", i + 1)) });
      else out.push({ where, fn, sql: null });
    }
  }
  return out;
}

const touchesPatientData = (sql: string) =>
  PATIENT_TABLES.some((t) => new RegExp(`\\b(?:from|join|into|update)\\s+${t}\\b`, 'i').test(sql));

const NOT_AN_ALIAS =
  /^(?:where|on|set|join|left|inner|cross|full|right|natural|group|order|using|limit|returning|select|values|union|having|for|as)$/i;

/**
 * The references to patient tables a statement makes that do not name their site: every
 * `from`/`join`/`update` of such a table must be filtered or joined on its own site_id
 * (`alias.site_id = …`, or a bare `site_id = …` when it has no alias), and every insert into
 * one must write the site_id column. Joins then stay on one shard under Citus (colocated).
 */
function unnamedSites(sql: string): string[] {
  const missing: string[] = [];
  const tables = PATIENT_TABLES.join('|');
  const ref = new RegExp(
    `\\b(from|join|update|into)\\s+(${tables})\\b(?:\\s+(?:as\\s+)?(\\w+))?`,
    'gi',
  );
  for (const m of sql.matchAll(ref)) {
    const [, verb, table, maybeAlias] = m as unknown as [
      string,
      string,
      string,
      string | undefined,
    ];
    if (verb.toLowerCase() === 'into') {
      const columns = /^\s*(?:as\s+\w+\s*)?\(([^)]*)\)/i.exec(
        sql.slice((m.index ?? 0) + m[0].length - (maybeAlias?.length ?? 0)),
      );
      if (!columns || !/\bsite_id\b/.test(columns[1] ?? '')) missing.push(`insert into ${table}`);
      continue;
    }
    const alias = maybeAlias && !NOT_AN_ALIAS.test(maybeAlias) ? maybeAlias : undefined;
    const named = alias
      ? new RegExp(`\\b${alias}\\.site_id\\s*(?:=|in\\b)|=\\s*${alias}\\.site_id\\b`, 'i').test(sql)
      : new RegExp(`(?<![.\\w])site_id\\s*(?:=|in\\b)|\\b${table}\\.site_id\\s*=`, 'i').test(sql);
    if (!named) missing.push(`${verb} ${table}${alias ? ` ${alias}` : ''}`);
  }
  return missing;
}

describe('the road to sharding by site (Citus)', () => {
  it.each(backends())('every registry table carries site_id on $name', async (backend) => {
    const db = await backend.open();
    try {
      const tables = await db.query<{ name: string; bySite: boolean }>(
        `select c.relname as name,
                exists (select 1 from pg_attribute a
                        where a.attrelid = c.oid and a.attname = 'site_id' and not a.attisdropped)
                  as "bySite"
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
         where n.nspname = current_schema() and c.relkind in ('r', 'p')
         order by 1`,
      );
      const names = tables.map((t) => t.name);
      // Each exception is a real table without the column: the list cannot hide a new table.
      for (const name of Object.keys(NOT_BY_SITE)) expect(names).toContain(name);
      expect(tables.filter((t) => !t.bySite).map((t) => t.name)).toEqual(
        Object.keys(NOT_BY_SITE).sort(),
      );
      for (const t of PATIENT_TABLES) expect(names).toContain(t);
    } finally {
      await db.close();
    }
  });

  it.each(backends())(
    'every key between two registry tables carries site_id on $name (migration 0117)',
    async (backend) => {
      const db = await backend.open();
      try {
        // Keys to staff (`users`) stay on the coordinator with them; every other key from one
        // table with site_id to another must name both rows' site, as Citus requires of keys
        // between colocated tables, so a row cannot name another site's row.
        const keys = await db.query<{ key: string; bySite: boolean }>(
          `select c.relname || ' → ' || p.relname || ' (' || k.conname || ')' as key,
                  exists (select 1 from unnest(k.conkey) n join pg_attribute a
                          on a.attrelid = k.conrelid and a.attnum = n where a.attname = 'site_id')
                    and exists (select 1 from unnest(k.confkey) n join pg_attribute a
                          on a.attrelid = k.confrelid and a.attnum = n where a.attname = 'site_id')
                    -- and the child's site_id is matched with the parent's, not with its id
                    and array_position(k.conkey, (select a.attnum from pg_attribute a
                          where a.attrelid = k.conrelid and a.attname = 'site_id'))
                      = array_position(k.confkey, (select a.attnum from pg_attribute a
                          where a.attrelid = k.confrelid and a.attname = 'site_id'))
                    as "bySite"
           from pg_constraint k
           join pg_class c on c.oid = k.conrelid
           join pg_class p on p.oid = k.confrelid
           where k.contype = 'f' and c.relnamespace = current_schema()::regnamespace
             and p.relname <> 'users'
             and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'site_id')
             and exists (select 1 from pg_attribute a where a.attrelid = p.oid and a.attname = 'site_id')
           order by 1`,
        );
        // The check must see the keys, not pass on an empty list.
        expect(keys.length).toBeGreaterThan(20);
        expect(keys.filter((k) => !k.bySite).map((k) => k.key)).toEqual([]);
      } finally {
        await db.close();
      }
    },
  );

  it.each(backends())(
    "a joint or a treatment naming another site's patient or joint is refused on $name",
    async (backend) => {
      const db = await backend.open();
      try {
        const { harbourClinician, northClinician } = await seedTwoSites(db);
        const harbour = { siteId: harbourClinician.siteId };
        const north = { siteId: northClinician.siteId };
        const [patient] = await db.query<{ id: string }>(
          `insert into patients (site_id, registry_id, birth_year, sex, consent_date)
           values ($1, 'SITE-KEYS-1', 1961, 'female', '2026-03-01') returning id`,
          [harbour.siteId],
        );
        const patientId = patient?.id ?? '';
        const knee = { joint: 'knee', side: 'right', klGrade: 3 } as const;
        await expect(insertEpisode(db, north, patientId, knee)).rejects.toMatchObject({
          code: '23503',
        });
        const episode = await insertEpisode(db, harbour, patientId, knee);
        const treatment = {
          treatmentDate: '2026-03-02',
          productClass: 'BMAC',
          cellDoseMillions: null,
          volumeMl: 8,
          imageGuidance: 'ultrasound',
        } as Parameters<typeof insertTreatment>[3];
        const derived = { characterisation: {}, plateletDoseBillions: null } as Parameters<
          typeof insertTreatment
        >[4];
        await expect(insertTreatment(db, north, episode, treatment, derived)).rejects.toMatchObject(
          { code: '23503' },
        );
        // The same rows at their own site are stored: the refusal is the site, not the row.
        await expect(
          insertTreatment(db, harbour, episode, treatment, derived),
        ).resolves.toMatchObject({ episodeId: episode.id });
        // An event outlives its survey link: withdrawing contact deletes the open link and
        // empties the event's link only.
        const link = await insertAssignment(db, harbour, {
          patientId,
          episodeId: episode.id,
          timepoint: '6m',
          instruments: [],
          windowTarget: '2026-09-02',
          windowOpens: '2026-08-19',
          windowCloses: '2026-09-30',
          tokenDigest: 'site-keys-test-digest',
          expiresAt: new Date('2026-12-31T00:00:00Z'),
          createdBy: null,
          createdAt: new Date('2026-03-02T00:00:00Z'),
        });
        await db.query(
          `insert into patient_events (site_id, patient_id, episode_id, kind, event_date, reported_via,
             assignment_id)
           values ($1, $2, $3, 'reinjection', '2026-09-01', 'patient-link', $4)`,
          [harbour.siteId, patientId, episode.id, link.id],
        );
        expect(await cancelContact(db, harbour, patientId)).toMatchObject({ links: 1 });
        expect(
          await db.query(
            `select site_id as "siteId", assignment_id as "assignmentId" from patient_events
             where episode_id = $1`,
            [episode.id],
          ),
        ).toEqual([{ siteId: harbour.siteId, assignmentId: null }]);
      } finally {
        await db.close();
      }
    },
  );

  it.each(backends())(
    "an answer naming a site that does not exist, or another site's patient, is refused on $name",
    async (backend) => {
      const db = await backend.open();
      try {
        const { harbourClinician, northClinician } = await seedTwoSites(db);
        const harbour = { siteId: harbourClinician.siteId };
        const [patient] = await db.query<{ id: string }>(
          `insert into patients (site_id, registry_id, birth_year, sex, consent_date)
           values ($1, 'SITE-KEYS-2', 1958, 'male', '2026-03-01') returning id`,
          [harbour.siteId],
        );
        const patientId = patient?.id ?? '';
        const episode = await insertEpisode(db, harbour, patientId, {
          joint: 'knee',
          side: 'left',
          klGrade: 2,
        });
        const link = await insertAssignment(db, harbour, {
          patientId,
          episodeId: episode.id,
          timepoint: 'baseline',
          instruments: ['nrs-pain'],
          windowTarget: '2026-03-02',
          windowOpens: '2026-02-23',
          windowCloses: '2026-03-09',
          tokenDigest: 'site-keys-answer-digest',
          expiresAt: new Date('2026-12-31T00:00:00Z'),
          createdBy: null,
          createdAt: new Date('2026-03-02T00:00:00Z'),
        });
        const answer = (siteId: string) =>
          db.query(
            `insert into responses (site_id, patient_id, episode_id, assignment_id, instrument_id,
               timepoint, answers, submitted_at, in_window)
             values ($1, $2, $3, $4, 'nrs-pain', 'baseline', '{"pain": 4}', '2026-03-02', true)`,
            [siteId, patientId, episode.id, link.id],
          );
        // Since migration 0125 no check of the site alone: the keys (patient, site), (joint,
        // site) and (link, site) refuse both, as a patient's site must exist.
        await expect(answer('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({
          code: '23503',
        });
        await expect(answer(northClinician.siteId)).rejects.toMatchObject({ code: '23503' });
        await expect(answer(harbour.siteId)).resolves.toBeDefined();
        // A link's answers are still found by index (the unique link and questionnaire key).
        const plan = await db.transaction(async (q) => {
          await q.query('set local enable_seqscan = off');
          const rows = await q.query<{ 'QUERY PLAN': string }>(
            `explain select 1 from responses where assignment_id = '00000000-0000-4000-8000-000000000001'`,
          );
          return rows.map((r) => r['QUERY PLAN']).join('\n');
        });
        expect(plan).toContain('responses_assignment_id_instrument_id_key');
      } finally {
        await db.close();
      }
    },
  );

  it('every store statement on patient data names its site, or is a listed network-wide one', () => {
    const statements = storeStatements();
    // The scan must see the store's statements, not pass on an empty list.
    expect(statements.filter((s) => s.sql && touchesPatientData(s.sql)).length).toBeGreaterThan(50);
    const unnamed = statements.filter((s) => s.sql === null || unnamedSites(s.sql).length > 0);
    const unexplained = unnamed
      .filter(
        (s) => !(s.fn in WITHOUT_ONE_SITE) && !(s.sql === null && s.fn in SQL_BUILT_ELSEWHERE),
      )
      .map(
        (s) =>
          `${s.where} (${s.fn}): ${s.sql === null ? '(SQL built elsewhere)' : unnamedSites(s.sql).join(', ')}`,
      );
    expect(unexplained).toEqual([]);
    // Every exception still exists and still needs to be one.
    const excepted = new Set(unnamed.map((s) => s.fn));
    expect(Object.keys(WITHOUT_ONE_SITE).filter((fn) => !excepted.has(fn))).toEqual([]);
    const built = new Set(statements.filter((s) => s.sql === null).map((s) => s.fn));
    expect(Object.keys(SQL_BUILT_ELSEWHERE).filter((fn) => !built.has(fn))).toEqual([]);
  });
});
