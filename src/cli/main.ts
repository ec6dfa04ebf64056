// Only light modules are imported here: `stemtrack --help` must not load the database, the
// web build or the schemas. Each command imports what it needs when it runs.
import { existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { DomainError } from '../core/errors.ts';
import { ROLES } from '../core/registry/vocabulary.ts';
import type { Config } from '../server/config.ts';
import type { Db } from '../store/db.ts';
import { describeFileError, readInputFile } from './files.ts';
import { parseOptions, UsageError } from './usage.ts';

const USAGE = `Usage: stemtrack <command> [options]

Commands:
  start         migrate, seed the demo registry if the database is empty, and serve the app
  migrate       apply database migrations and exit
  demo          seed a synthetic demo registry into an empty database
  create-user   add a user (admin, clinician or researcher) to a site
  score         score a CSV file of questionnaire answers (no database needed)
  meta          meta-analysis of a CSV file of studies, with forest and funnel plots
  import-evidence  add trials to the evidence dataset (CSV, or ClinicalTrials.gov JSON)
  import-instrument  add a licensed instrument definition (WOMAC, Oxford, EQ-5D…) you hold
  import-translation add a checked translation of an instrument's items and answers
  questionnaire    print an instrument as a FHIR R4 Questionnaire
  report        outcomes per time point for a cohort: n, mean (SD), change from baseline, 95% CIs
  export        de-identified research export of a site: tidy CSV, data dictionary, FHIR NDJSON
  backup        write the whole registry to one file (gzip JSON lines, with digests)
  restore       restore a backup file into an empty database, checking every table
  audit         audit verify: recompute every hash of the audit log's chains

Run 'stemtrack <command> --help' for a command's options.

Environment:
  DATABASE_URL  postgres://… to use a PostgreSQL server (default: embedded PGlite)
  DATA_DIR      where embedded PGlite keeps its files (default ./data)
  PORT, HOST    where to listen (default 3000 on 127.0.0.1)
  PUBLIC_URL    base URL for survey links (default http://HOST:PORT)
  TLS=true      when served over HTTPS: secure cookies and HSTS
  BACKUP_KEY    64 hex characters that sign backups; backup and restore need it
  MIGRATION_DATABASE_URL  PostgreSQL role that owns the tables, for migrate (see README)`;

/**
 * The built-in instruments' ids, written out so that help need not load (and check) every
 * definition file; help.int.test.ts checks this list against the library.
 */
const BUILT_IN_IDS = [
  'nrs-pain',
  'koos',
  'koos-12',
  'koos-jr',
  'hoos',
  'hoos-jr',
  'promis-global-10',
  'patient-global',
  'satisfaction-work',
];

const HELP: Record<string, string> = {
  meta: `Usage: stemtrack meta FILE.csv [--measure MD|SMD|GEN] [--method REML|DL|PM|FE]
                      [--ci z|knha] [--format json|text] [--plot FOREST.svg] [--funnel FUNNEL.svg]

Pools the studies in FILE.csv (or - for standard input) in a meta-analysis computed as
metafor's rma() and predict() compute it.

Input, one row per study, either
  study,yi,vi                          effect sizes and their sampling variances (GEN)
  study,n1,mean1,sd1,n2,mean2,sd2      two arms, arm 1 minus arm 2 (MD, or SMD = Hedges' g)
and optionally a subgroup column (e.g. cell source) for a subgroup analysis (text output).

Options:
  --measure   MD (default for arm data), SMD, or GEN (default for yi,vi)
  --method    tau² estimator: REML (default), DL (DerSimonian–Laird), PM (Paule–Mandel),
              FE (common effect)
  --ci        z (normal, default) or knha (Hartung–Knapp–Sidik–Jonkman, t on k−1 df)
  --format    json: k, estimate, se, ciLower, ciUpper, tau2, i2 (percent), q, qPvalue,
              piLower, piUpper; text (default): a readable table
  --plot      write a forest plot (SVG) to this file
  --funnel    write a funnel plot (SVG) to this file

Bad input is reported with its row and column; the exit code is then 1.`,
  'import-translation': `Usage: stemtrack import-translation FILE.json

Adds one language's wording of an instrument (docs/instruments.md, "Translations"): the
instrument id, a BCP 47 language tag, the source the text was read from and its terms of use,
the instructions, each section's title (and intro where the form has one) in the form's
order, every item's text by its code, and every answer's label by its value. The file is
checked against the instrument: a missing or extra item or answer is refused with every
problem named, and nothing is stored. Patients whose recorded language matches then read
the questionnaire in it; restart StemTrack after importing.`,
  'import-instrument': `Usage: stemtrack import-instrument FILE.json

Adds an instrument definition a registry holds a licence for (StemTrack does not ship
licensed instruments such as WOMAC, the Oxford scores or EQ-5D). The file has the shape
of src/core/instruments/definitions/koos.json: items with official codes, response
options and values, scales with their scoring and missing-item rules, source and terms
of use. A bad file is refused with every problem named, and nothing is stored.
Restart StemTrack to offer the new instrument in surveys. To score a CSV with a definition
file without importing it: stemtrack score FILE.json answers.csv`,
  report: `Usage: stemtrack report [--site NAME] [cohort options] [--json]

Prints, per questionnaire scale and time point, the number of treated joints scored, the
mean (SD) with its 95% CI, the mean change from baseline in joints scored at both with its
95% CI, the mixed-model change, the shares past the scale's MCID and in its PASS, and the
OMERACT-OARSI responders among knees and hips, then the dose–response section: per
product class with a dose, the change in KOOS/HOOS pain and function per doubling of the
dose adjusted for the baseline score, and products compared adjusted for baseline score,
KL grade, age, sex and BMI (--timepoint w6|m3|m6|m12|m24|m36|m48|m60, default m6).
Without --site it covers every site in the database.
The changes are before–after changes without a control group, not treatment effects;
dose–response and product differences are associations in an observational registry.

Cohort options (all optional, combined with "and"):
  --joint knee|hip|shoulder|ankle|hand|other
  --kl 0-4                  Kellgren–Lawrence grade
  --sex female|male|other|unknown
  --product CODE            product class: BM-MSC, AD-MSC, UC-MSC, BMAC, SVF, MFAT, PRP, HA, CS, SALINE, OTHER
  --cellSource bone-marrow|adipose|umbilical-cord
  --dose lt10|10to50|50to100|ge100       million cells per injection
  --bmi underweight|normal|overweight|obese   WHO class of the BMI at treatment
  --ageFrom N --ageTo N     age at treatment in years (treatment year − birth year)
  --treatedFrom YYYY-MM-DD --treatedTo YYYY-MM-DD   treatment date range, ends included
The treatment options select joints with one treatment that matches them all.`,
  export: `Usage: stemtrack export --site NAME --out DIR [--force]

Writes the site's registry, de-identified, into DIR:
  scores.csv               one row per patient × time point × score
  data-dictionary.csv      what each column of scores.csv holds
  Patient.ndjson, Procedure.ndjson, QuestionnaireResponse.ndjson, Observation.ndjson
                           FHIR R4 resources in the FHIR Bulk Data format: one file per
                           resource type, one resource per line (types with none are left out)
Patients appear as stable study ids, each patient's dates are shifted by their own
1–180 days, and ages over 89 read "90+". Identified exports are only for registry admins
in the app, where each one is audited. Prints each file as it is written, then their sizes.

  --force    write into DIR even though it holds files (files of the same names are replaced)`,
  backup: `Usage: stemtrack backup FILE.jsonl.gz

Writes every table of the database (DATABASE_URL, or the embedded one in DATA_DIR) to FILE
in one consistent snapshot: gzip-compressed JSON lines with each table's row count and
SHA-256 digest, signed with HMAC-SHA256 under BACKUP_KEY (64 hex characters, made once with
'openssl rand -hex 32' and kept apart from the backups: restore needs the same key). The file
appears only when complete; an existing FILE is never overwritten.
It holds identified patient data: store it as securely as the database itself.`,
  restore: `Usage: stemtrack restore FILE.jsonl.gz [--erasures-from NEWER.jsonl.gz ...]

Restores a backup into an empty database (DATABASE_URL, or a new DATA_DIR). First checks the
file's signature under BACKUP_KEY (the key it was made with): a file changed by anyone
without the key is refused before anything is written. Then migrates the database to the
backup's schema version, inserts every row in one transaction, checks that the backup holds
every table of that schema, re-reads each table and compares its digest with the backup's
(any difference undoes the whole restore), then applies newer migrations and checks the
audit log's hash chains. Refuses a database that already holds data.

Erasures: a backup holds the patients erased after it was taken. Give newer backups (your
newest, or a backup taken now of the database you are replacing) with --erasures-from: their
signatures are checked first, and every patient whose erasure their audit log records is
erased again, each with a new 'erase' row in the restored audit log.

  --erasures-from FILE.jsonl.gz   a newer backup whose recorded erasures are applied again
                                  (may be given more than once)`,
  audit: `Usage: stemtrack audit verify [--json]

Recomputes the hash of every row of the audit log (DATABASE_URL, or DATA_DIR) outside the
database and checks that each row follows the one before it in its chain (16 chains per
site, and 16 for rows without a site). Names the first row that does not fit (its id, site,
chain and what differs: changed content, missing rows, a row inserted later) and exits 1;
exits 0 when every chain holds. Prints each chain's last hash: keep that list elsewhere
(with the backups) to prove later that no chain was rewritten to its end.

  --json    print the result as JSON`,
  questionnaire: `Usage: stemtrack questionnaire INSTRUMENT|FILE.json

Prints the instrument as a FHIR R4 Questionnaire (JSON): one group per section, one
choice item per question (linkId = official item code), answer values as ordinalValue.`,
  'import-evidence': `Usage: stemtrack import-evidence FILE.csv|FILE.json

Adds published trial results to the evidence dataset the evidence page pools:
  FILE.csv   rows in the shape of the shipped trials-extracted.csv (one row per arm,
             outcome and time point, each with its source); any bad row refuses the file
  FILE.json  a ClinicalTrials.gov API v2 study record with posted results
             (https://clinicaltrials.gov/api/v2/studies/NCT…); outcomes whose scale or
             time point cannot be read safely are listed and left out
Re-importing a row (same study, arm, outcome, time point) replaces it.`,
  score: `Usage: stemtrack score INSTRUMENT|DEFINITION.json FILE.csv [--format csv|json|fhir]
                      [--ignore-other-columns]

Scores every row of FILE.csv (or - for standard input) by the instrument's official rules.
The file has an id column and one column per official item code (for KOOS: S1…S7,
P1…P9, A1…A17, SP1…SP5, Q1…Q4); an empty cell is an unanswered item.
Writes one row per input row: id and each scale score (KOOS: pain, symptoms, adl, sport,
qol). JSON is unrounded and uses null where the missing-item rule allows no score; CSV
leaves such cells empty. fhir writes a FHIR R4 Bundle of QuestionnaireResponses and
score Observations. Any bad value is reported with its row and column, nothing is
written, and the exit code is 1.

  --ignore-other-columns  leave out (and list) columns that are not the instrument's
                          items instead of refusing the file: score KOOS JR or KOOS-12
                          from a file of full KOOS answers, HOOS JR from full HOOS

Instruments (upper or lower case): ${BUILT_IN_IDS.join(', ')}`,
  start: `Usage: stemtrack start [--no-demo] [--patients N] [--seed N] [--workers N]

Applies migrations; on an empty database seeds the demo registry (unless --no-demo);
builds the web app if needed; serves it on $PORT (default 3000) and prints the URL.

  --no-demo       start with an empty registry
  --patients N    demo registry size (default 600)
  --seed N        demo random seed (default 1)
  --workers N     processes serving requests over one PostgreSQL, sharing the port
                  (default: one per core). The embedded PGlite database always runs
                  one process; set DATABASE_URL to use more.`,
  migrate: `Usage: stemtrack migrate

Applies the numbered SQL migrations not yet applied, in one transaction.`,
  demo: `Usage: stemtrack demo [--patients N] [--seed N]

Seeds a synthetic registry (invented people only) and demo logins into an empty database.
The same --seed gives the same registry.

  --patients N    number of patients (default 600)
  --seed N        random seed (default 1)`,
  'create-user': `Usage: stemtrack create-user --email E --name N --role R --site S [--password-stdin]

Creates a user at site S (the site is created if new). Role is one of: ${ROLES.join(', ')}.
The password (at least 8 characters, none from a list of common or breached passwords) is asked for, or read from standard input with
--password-stdin.`,
};

function positiveInt(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0)
    throw new UsageError(`--${name} must be a whole number such as 600, not '${value}'`);
  return n;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return command ? 0 : 1;
  }
  if (!HELP[command]) {
    console.error(`stemtrack: unknown command '${command}'\n\n${USAGE}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(HELP[command]);
    return 0;
  }
  try {
    return await run(command, rest);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`stemtrack ${command}: ${error.message}\n\n${HELP[command]}`);
      return 2;
    }
    if (error instanceof DomainError) {
      const details = error.fields.map((f) => `\n  ${f.field}: ${f.message}`).join('');
      console.error(`stemtrack ${command}: ${error.message}${details}`);
      return 1;
    }
    console.error(`stemtrack ${command}: ${failureInWords(error)}`);
    return 1;
  }
}

/** An unexpected failure in words: a file the system refused is named with the reason. */
function failureInWords(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const path = (error as NodeJS.ErrnoException | undefined)?.path;
  if (code && path) return describeFileError(path, error, 'use');
  const server = 'the PostgreSQL server of DATABASE_URL';
  // Codes of node's sockets and of PostgreSQL (SQLSTATE 28P01, 3D000).
  if (code === 'ECONNREFUSED')
    return `cannot connect to ${server}: nothing answers at that address; check that the server is running and the host and port are right`;
  if (code === 'ENOTFOUND')
    return `cannot connect to ${server}: its host name is unknown; check the spelling of DATABASE_URL`;
  if (code === '28P01')
    return `${server} refused the user name or password in DATABASE_URL; check them`;
  if (code === '3D000')
    return `${server} has no database of the name in DATABASE_URL; create it (createdb NAME) or correct the name`;
  return error instanceof Error ? error.message : String(error);
}

/** A check of option values whose problems name the options (--kl), not schema fields (kl). */
function asOptionProblem<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (!(error instanceof DomainError) || error.fields.length === 0) throw error;
    throw new UsageError(error.fields.map((f) => `--${f.field}: ${f.message}`).join('\n  '));
  }
}

/** Opens the database the environment names (DATABASE_URL, or embedded PGlite in DATA_DIR). */
async function openConfigured(config: Config): Promise<Db> {
  const { openDatabase } = await import('../store/db.ts');
  return openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
}

/** Runs `use` with the database open, closing it however `use` ends. */
async function withDatabase<T>(use: (db: Db) => Promise<T>): Promise<T> {
  const { loadConfig } = await import('../server/config.ts');
  const db = await openConfigured(loadConfig());
  try {
    return await use(db);
  } finally {
    await db.close();
  }
}

/**
 * Runs `use` with the database open as the owner of its tables: MIGRATION_DATABASE_URL when
 * set (then `use` gets DATABASE_URL, the role to grant), else as `withDatabase`.
 */
async function withMigrationDatabase<T>(
  use: (db: Db, servingUrl: string | undefined) => Promise<T>,
): Promise<T> {
  const { loadConfig } = await import('../server/config.ts');
  const config = loadConfig();
  const owner = config.MIGRATION_DATABASE_URL;
  const db = await openConfigured(owner ? { ...config, DATABASE_URL: owner } : config);
  try {
    return await use(db, owner ? config.DATABASE_URL : undefined);
  } finally {
    await db.close();
  }
}

/** The id of the site called `name`, or undefined after naming the sites there are. */
async function siteIdByName(db: Db, command: string, name: string): Promise<string | undefined> {
  const { listSites } = await import('../store/sites.repo.ts');
  const sites = await listSites(db);
  const found = sites.find((s) => s.name === name);
  if (found) return found.id;
  console.error(
    sites.length === 0
      ? `stemtrack ${command}: no site named '${name}': this registry has no sites yet (stemtrack create-user adds one).`
      : `stemtrack ${command}: no site named '${name}'. The sites are:\n${sites.map((s) => `  ${s.name}`).join('\n')}\nGive one of these names (in quotes if it has spaces) with --site.`,
  );
  return undefined;
}

async function run(command: string, args: string[]): Promise<number> {
  const parse = <O extends Parameters<typeof parseOptions>[1]>(options: O) =>
    parseOptions(args, options, false).values;
  switch (command) {
    case 'score': {
      const { scoreCommand } = await import('./score.ts');
      return scoreCommand(args);
    }
    case 'meta': {
      const { metaCommand } = await import('./meta.ts');
      return metaCommand(args);
    }
    case 'questionnaire': {
      const [instrument, ...extra] = args;
      if (!instrument || extra.length > 0 || instrument.startsWith('--'))
        throw new UsageError('give one instrument id (such as koos) or definition .json file');
      const { resolveInstrument } = await import('./score.ts');
      const { toQuestionnaire } = await import('../core/fhir/instruments.ts');
      const def = resolveInstrument('questionnaire', instrument);
      if (!def) return 1;
      console.log(JSON.stringify(toQuestionnaire(def), null, 2));
      return 0;
    }
    case 'start': {
      const v = parse({
        'no-demo': { type: 'boolean' },
        patients: { type: 'string' },
        seed: { type: 'string' },
        workers: { type: 'string' },
      });
      const workers = v.workers === undefined ? undefined : positiveInt(v.workers, 1, 'workers');
      if (workers === 0) throw new UsageError('--workers must be 1 or more');
      const opts = {
        demo: !v['no-demo'],
        patients: positiveInt(v.patients, 600, 'patients'),
        seed: positiveInt(v.seed, 1, 'seed'),
        ...(workers === undefined ? {} : { workers }),
      };
      const { loadConfig } = await import('../server/config.ts');
      const { startServer } = await import('./start.ts');
      await startServer(loadConfig(), opts);
      return 0;
    }
    case 'migrate': {
      parse({});
      const { migrateAndGrant } = await import('../app/migrate.ts');
      return withMigrationDatabase(async (db, servingUrl) => {
        const applied = await migrateAndGrant(db, servingUrl);
        console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date.');
        return 0;
      });
    }
    case 'demo': {
      const v = parse({ patients: { type: 'string' }, seed: { type: 'string' } });
      const seed = positiveInt(v.seed, 1, 'seed');
      const patients = positiveInt(v.patients, 600, 'patients');
      const { migrate } = await import('../store/migrate.ts');
      const { isEmptyRegistry, seedDemoRegistry } = await import('../app/demo.ts');
      return withDatabase(async (db) => {
        await migrate(db);
        if (!(await isEmptyRegistry(db))) {
          console.error(
            'stemtrack demo: this database already has users; seed the demo only into a new one.',
          );
          return 1;
        }
        const summary = await seedDemoRegistry(db, { seed, patients, now: new Date() });
        console.log(
          `Seeded ${summary.patients} patients and ${summary.responses} responses at ${summary.sites.join(' and ')}.`,
        );
        return 0;
      });
    }
    case 'import-evidence': {
      // Checked before reading: a file far over the limit is never loaded into memory.
      const named = args[0];
      if (named && named !== '-' && existsSync(named)) {
        const { checkEvidenceImportSize } = await import('../app/evidence/evidence.ts');
        checkEvidenceImportSize(basename(named), statSync(named).size);
      }
      const input = await readOneFile('import-evidence', args, 'give one CSV or JSON file');
      if (!input) return 1;
      const { file, text, name } = input;
      const { migrate } = await import('../store/migrate.ts');
      const { importEvidence } = await import('../app/evidence/evidence.ts');
      const { ViewCache } = await import('../app/analytics/view-cache.ts');
      return withDatabase(async (db) => {
        await migrate(db);
        const result = await importEvidence(
          { db, now: () => new Date(), publicUrl: '', views: new ViewCache() },
          name,
          text,
        );
        console.log(`Imported ${result.imported} trial arm row(s) from ${file}.`);
        for (const r of result.refused) console.log(`Left out '${r.outcome}': ${r.reason}`);
        return 0;
      });
    }
    case 'report': {
      const { COHORT_OPTIONS, cohortOf, completenessReport, durabilityReport, outcomeReport } =
        await import('../app/analytics/report.ts');
      const { safetyReport } = await import('../app/registry/adverse-events.ts');
      const { doseResponseReport, DEFAULT_DOSE_TIMEPOINT, DOSE_TIMEPOINTS } = await import(
        '../app/analytics/dose-response.ts'
      );
      const { site, json, timepoint, ...filters } = parse({
        site: { type: 'string' },
        json: { type: 'boolean' },
        timepoint: { type: 'string' },
        ...Object.fromEntries(COHORT_OPTIONS.map((name) => [name, { type: 'string' as const }])),
      });
      // Checked before the database opens: a bad filter is a usage error, nothing else runs.
      const cohort = asOptionProblem(() => cohortOf(filters));
      const doseAt = typeof timepoint === 'string' ? timepoint : DEFAULT_DOSE_TIMEPOINT;
      if (!DOSE_TIMEPOINTS.includes(doseAt))
        throw new UsageError(`--timepoint is one of ${DOSE_TIMEPOINTS.join(', ')}`);
      const { migrate } = await import('../store/migrate.ts');
      const { reportText } = await import('./report-text.ts');
      const { doseResponseText } = await import('./dose-response-text.ts');
      return withDatabase(async (db) => {
        await migrate(db);
        let siteId: string | undefined;
        if (typeof site === 'string') {
          siteId = await siteIdByName(db, 'report', site);
          if (!siteId) return 1;
        }
        const report = await outcomeReport(db, { ...(siteId ? { siteId } : {}), ...cohort });
        const doses = await doseResponseReport(
          db,
          { ...(siteId ? { siteId } : {}), ...cohort },
          doseAt,
        );
        // Durability, safety, completeness and outreach are a site's: one block per site asked for.
        const { listSites } = await import('../store/sites.repo.ts');
        const { outreachReport } = await import('../app/follow-up/outreach.ts');
        const sites = (await listSites(db)).filter((s) => !siteId || s.id === siteId);
        const today = new Date().toISOString().slice(0, 10);
        if (!json) {
          process.stdout.write(`${reportText(report)}\n${doseResponseText(doses)}`);
          const { outreachText } = await import('./outreach-text.ts');
          for (const s of sites)
            process.stdout.write(
              `\n${outreachText(s.name, await outreachReport(db, s.id, cohort, today))}`,
            );
          return 0;
        }
        const bySite = [];
        for (const s of sites) {
          bySite.push({
            site: s.name,
            durability: await durabilityReport(db, s.id, cohort),
            safety: await safetyReport(db, s.id, cohort),
            completeness: await completenessReport(db, s.id, cohort, today),
            outreach: await outreachReport(db, s.id, cohort, today),
          });
        }
        process.stdout.write(
          `${JSON.stringify({ ...report, doseResponse: doses, sites: bySite }, null, 2)}\n`,
        );
        return 0;
      });
    }
    case 'backup': {
      const [file, ...extra] = parseOptions(args, {}, true).positionals;
      if (!file || extra.length > 0) throw new UsageError('give one backup file to write');
      if (existsSync(file)) {
        console.error(
          `stemtrack backup: ${file} exists and is never overwritten; give a new file name.`,
        );
        return 1;
      }
      const { writeBackupFile } = await import('./backup-file.ts');
      const { backupKey } = await import('../app/backup.ts');
      const { loadConfig } = await import('../server/config.ts');
      const key = backupKey(loadConfig().BACKUP_KEY, 'backup');
      return withDatabase(async (db) => {
        const summary = await writeBackupFile(db, key, file);
        const rows = Object.values(summary.tables).reduce((n, t) => n + t.rows, 0);
        console.log(
          `Backed up ${Object.keys(summary.tables).length} tables, ${rows} rows (schema ${summary.migrations.at(-1)}) to ${file}`,
        );
        return 0;
      });
    }
    case 'restore': {
      const { values, positionals } = parseOptions(
        args,
        { 'erasures-from': { type: 'string', multiple: true } },
        true,
      );
      const [file, ...extra] = positionals;
      if (!file || extra.length > 0) throw new UsageError('give one backup file to read');
      const erasuresFrom = values['erasures-from'] ?? [];
      for (const f of [file, ...erasuresFrom])
        if (!existsSync(f)) {
          console.error(`stemtrack restore: there is no file ${f}; check the path.`);
          return 1;
        }
      const { restoreBackupFile } = await import('./backup-file.ts');
      const { backupKey } = await import('../app/backup.ts');
      const { loadConfig } = await import('../server/config.ts');
      const key = backupKey(loadConfig().BACKUP_KEY, 'restore');
      const { migrateAndGrant } = await import('../app/migrate.ts');
      return withMigrationDatabase(async (db, servingUrl) => {
        const summary = await restoreBackupFile(db, key, file, erasuresFrom);
        await migrateAndGrant(db, servingUrl);
        const rows = Object.values(summary.tables).reduce((n, t) => n + t.rows, 0);
        console.log(
          `Restored ${rows} rows in ${Object.keys(summary.tables).length} tables; the signature and every table's digest match the backup.`,
        );
        const { erasedAgain } = summary.erasures;
        console.log(
          erasuresFrom.length > 0
            ? `Erased again ${erasedAgain} patient${erasedAgain === 1 ? '' : 's'} whose erasure the newer backup${erasuresFrom.length === 1 ? '' : 's'} record${erasuresFrom.length === 1 ? 's' : ''}.`
            : `This backup was taken ${summary.createdAt}. Patients erased after that are back in it: give your newest backup with --erasures-from to erase them again before anyone uses the registry.`,
        );
        if (summary.upgradedWith.length > 0)
          console.log(`Then applied newer migrations: ${summary.upgradedWith.join(', ')}`);
        if (!summary.auditLog.ok) {
          console.error(
            `Warning: the restored audit log was already changed behind StemTrack's back when the backup was made:\n${summary.auditLog.problems.map((p) => `  ${p.message}`).join('\n')}`,
          );
          return 1;
        }
        return 0;
      });
    }
    case 'audit': {
      const { values, positionals } = parseOptions(args, { json: { type: 'boolean' } }, true);
      if (positionals.join(' ') !== 'verify') throw new UsageError('the audit command is: verify');
      const { verifyAuditChains } = await import('../app/access/audit.ts');
      const { auditChainHeads } = await import('../store/audit.repo.ts');
      return withDatabase(async (db) => {
        const result = await verifyAuditChains(db);
        const heads = await auditChainHeads(db);
        if (values.json) {
          console.log(JSON.stringify({ ...result, heads }, null, 2));
          return result.ok ? 0 : 1;
        }
        if (!result.ok) {
          console.error(
            `stemtrack audit verify: the audit log was changed behind StemTrack's back.\n${result.problems.map((p) => `  ${p.message}`).join('\n')}`,
          );
          return 1;
        }
        console.log(
          `Every chain holds: ${result.rows} audit rows in ${result.chains} chains. Last row of each chain:`,
        );
        for (const h of heads)
          console.log(
            `  ${h.siteId ?? 'no site'} chain ${h.chain}: row ${h.lastId}, ${h.lastHash}`,
          );
        return 0;
      });
    }
    case 'export': {
      const v = parse({
        site: { type: 'string' },
        out: { type: 'string' },
        force: { type: 'boolean' },
      });
      if (typeof v.site !== 'string' || typeof v.out !== 'string')
        throw new UsageError('give --site NAME and --out DIR');
      const { siteName, outDir, force } = { siteName: v.site, outDir: v.out, force: !!v.force };
      const { exportCommand, refuseOutDir } = await import('./export.ts');
      // Refused before the database opens, so nothing is read for an export that cannot be written.
      const refusal = refuseOutDir(outDir, force);
      if (refusal) {
        console.error(`stemtrack export: ${refusal}`);
        return 1;
      }
      const { migrate } = await import('../store/migrate.ts');
      return withDatabase(async (db) => {
        await migrate(db);
        const siteId = await siteIdByName(db, 'export', siteName);
        if (!siteId) return 1;
        await exportCommand(db, { siteId, siteName, outDir });
        return 0;
      });
    }
    case 'import-instrument': {
      const input = await readOneFile('import-instrument', args, 'give one JSON file');
      if (!input) return 1;
      const { migrate } = await import('../store/migrate.ts');
      const { importLicensedInstrument } = await import('../app/instruments.ts');
      return withDatabase(async (db) => {
        await migrate(db);
        const { definition, outcome } = await importLicensedInstrument(db, input.name, input.text);
        const items = definition.sections.reduce((n, s) => n + s.items.length, 0);
        console.log(
          `${outcome === 'added' ? 'Imported' : 'Replaced'} ${definition.shortName} (id ${definition.id}, ${items} items, ${definition.scales.length} scales). Restart StemTrack to offer it.`,
        );
        return 0;
      });
    }
    case 'import-translation': {
      const input = await readOneFile('import-translation', args, 'give one JSON file');
      if (!input) return 1;
      const { migrate } = await import('../store/migrate.ts');
      const { importInstrumentTranslation } = await import('../app/instruments.ts');
      return withDatabase(async (db) => {
        await migrate(db);
        const { translation, outcome } = await importInstrumentTranslation(
          db,
          input.name,
          input.text,
        );
        console.log(
          `${outcome === 'added' ? 'Imported' : 'Replaced'} the ${translation.language} translation of ${translation.instrument} (${Object.keys(translation.items).length} items). Restart StemTrack to use it.`,
        );
        return 0;
      });
    }
    case 'create-user': {
      const v = parse({
        email: { type: 'string' },
        name: { type: 'string' },
        role: { type: 'string' },
        site: { type: 'string' },
        'password-stdin': { type: 'boolean' },
      });
      for (const key of ['email', 'name', 'role', 'site'] as const) {
        if (!v[key]) throw new UsageError(`--${key} is required`);
      }
      const { readSecret } = await import('./prompt.ts');
      const password = await readSecret(
        'Password (at least 8 characters): ',
        Boolean(v['password-stdin']),
      );
      const { migrate } = await import('../store/migrate.ts');
      const { createUser } = await import('../app/access/auth.ts');
      return withDatabase(async (db) => {
        await migrate(db);
        const user = await db.transaction((tx) =>
          createUser(tx, String(v.site), { email: v.email, name: v.name, role: v.role, password }),
        );
        console.log(`Created ${user.role} ${user.email} at ${user.siteName}.`);
        return 0;
      });
    }
  }
  return 2;
}

/** The one file a command takes: usage error if not exactly one, message and undefined if unreadable. */
async function readOneFile(
  command: string,
  args: string[],
  usage: string,
): Promise<{ file: string; name: string; text: string } | undefined> {
  const [file, ...extra] = parseOptions(args, {}, true).positionals;
  if (!file || extra.length > 0) throw new UsageError(usage);
  const text = readInputFile(command, file);
  return text === undefined ? undefined : { file, name: basename(file), text };
}
