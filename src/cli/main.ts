import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { createUser } from '../app/access/auth.ts';
import { buildExport, EXPORT_KINDS } from '../app/analytics/export.ts';
import { COHORT_OPTIONS, cohortOf, outcomeReport } from '../app/analytics/report.ts';
import { ViewCache } from '../app/analytics/view-cache.ts';
import { isEmptyRegistry, seedDemoRegistry } from '../app/demo.ts';
import { checkEvidenceImportSize, importEvidence } from '../app/evidence/evidence.ts';
import { importLicensedInstrument } from '../app/instruments.ts';
import { DomainError } from '../core/errors.ts';
import { toQuestionnaire } from '../core/fhir/instruments.ts';
import { BUILT_IN_INSTRUMENTS } from '../core/instruments/library.ts';
import { ROLES } from '../core/registry/vocabulary.ts';
import { loadConfig } from '../server/config.ts';
import { openDatabase } from '../store/db.ts';
import { migrate } from '../store/migrate.ts';
import { restoreBackupFile, writeBackupFile } from './backup-file.ts';
import { readInputFile } from './files.ts';
import { META_HELP, metaCommand } from './meta.ts';
import { readSecret } from './prompt.ts';
import { reportText } from './report-text.ts';
import { resolveInstrument, scoreCommand } from './score.ts';
import { startServer } from './start.ts';
import { UsageError } from './usage.ts';

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
  questionnaire    print an instrument as a FHIR R4 Questionnaire
  report        outcomes per time point for a cohort: n, mean (SD), change from baseline, 95% CIs
  export        de-identified research export of a site: tidy CSV, data dictionary, FHIR Bundle
  backup        write the whole registry to one file (gzip JSON lines, with digests)
  restore       restore a backup file into an empty database, checking every table

Run 'stemtrack <command> --help' for a command's options.

Environment:
  DATABASE_URL  postgres://… to use a PostgreSQL server (default: embedded PGlite)
  DATA_DIR      where embedded PGlite keeps its files (default ./data)
  PORT, HOST    where to listen (default 3000 on 127.0.0.1)
  PUBLIC_URL    base URL for survey links (default http://HOST:PORT)
  TLS=true      when served over HTTPS: secure cookies and HSTS`;

const HELP: Record<string, string> = {
  meta: META_HELP,
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
OMERACT-OARSI responders among knees and hips. Without --site it covers every site in the database.
The changes are before–after changes without a control group, not treatment effects.

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
  export: `Usage: stemtrack export --site NAME --out DIR

Writes three de-identified files for the site's registry into DIR: scores.csv (one row per
patient × time point × score), data-dictionary.csv (what each column holds) and
bundle.json (a FHIR R4 Bundle of Patient, Procedure, QuestionnaireResponse and
Observation). Patients appear as stable study ids, each patient's dates are shifted by
their own 1–180 days, and ages over 89 read "90+". Identified exports are only for
registry admins in the app, where each one is audited.`,
  backup: `Usage: stemtrack backup FILE.jsonl.gz

Writes every table of the database (DATABASE_URL, or the embedded one in DATA_DIR) to FILE
in one consistent snapshot: gzip-compressed JSON lines with each table's row count and
SHA-256 digest. The file appears only when complete; an existing FILE is never overwritten.
It holds identified patient data: store it as securely as the database itself.`,
  restore: `Usage: stemtrack restore FILE.jsonl.gz

Restores a backup into an empty database (DATABASE_URL, or a new DATA_DIR): migrates it to
the backup's schema version, inserts every row in one transaction, re-reads each table and
compares its digest with the backup's (any difference undoes the whole restore), then
applies newer migrations. Refuses a database that already holds data.`,
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

Instruments: ${BUILT_IN_INSTRUMENTS.map((d) => d.id).join(', ')}`,
  start: `Usage: stemtrack start [--no-demo] [--patients N] [--seed N]

Applies migrations; on an empty database seeds the demo registry (unless --no-demo);
builds the web app if needed; serves it on $PORT (default 3000) and prints the URL.

  --no-demo       start with an empty registry
  --patients N    demo registry size (default 600)
  --seed N        demo random seed (default 1)`,
  migrate: `Usage: stemtrack migrate

Applies the numbered SQL migrations not yet applied, in one transaction.`,
  demo: `Usage: stemtrack demo [--patients N] [--seed N]

Seeds a synthetic registry (invented people only) and demo logins into an empty database.
The same --seed gives the same registry.

  --patients N    number of patients (default 600)
  --seed N        random seed (default 1)`,
  'create-user': `Usage: stemtrack create-user --email E --name N --role R --site S [--password-stdin]

Creates a user at site S (the site is created if new). Role is one of: ${ROLES.join(', ')}.
The password (at least 12 characters) is asked for, or read from standard input with
--password-stdin.`,
};

function positiveInt(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new UsageError(`--${name} must be a whole number, got '${value}'`);
  return n;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return command ? 0 : 1;
  }
  const help = HELP[command];
  if (!help) {
    console.error(`stemtrack: unknown command '${command}'\n\n${USAGE}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(help);
    return 0;
  }
  try {
    return await run(command, rest);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`stemtrack ${command}: ${error.message}\n\n${help}`);
      return 2;
    }
    if (error instanceof DomainError) {
      const details = error.fields.map((f) => `\n  ${f.field}: ${f.message}`).join('');
      console.error(`stemtrack ${command}: ${error.message}${details}`);
      return 1;
    }
    console.error(
      `stemtrack ${command}: ${error instanceof Error ? error.message : String(error)}`,
    );
    return 1;
  }
}

async function run(command: string, args: string[]): Promise<number> {
  const parse = (options: NonNullable<ParseArgsConfig['options']>) => {
    try {
      return parseArgs({ args, options, allowPositionals: false }).values;
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
  };
  if (command === 'score') return scoreCommand(args);
  if (command === 'meta') return metaCommand(args);
  if (command === 'questionnaire') {
    const [instrument, ...extra] = args;
    if (!instrument || extra.length > 0)
      throw new UsageError('give one instrument id or definition file');
    const def = resolveInstrument('questionnaire', instrument);
    if (!def) return 1;
    console.log(JSON.stringify(toQuestionnaire(def), null, 2));
    return 0;
  }
  const config = loadConfig();
  switch (command) {
    case 'start': {
      const v = parse({
        'no-demo': { type: 'boolean' },
        patients: { type: 'string' },
        seed: { type: 'string' },
      });
      await startServer(config, {
        demo: !v['no-demo'],
        patients: positiveInt(v.patients as string | undefined, 600, 'patients'),
        seed: positiveInt(v.seed as string | undefined, 1, 'seed'),
      });
      return 0;
    }
    case 'migrate': {
      parse({});
      const db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
      try {
        const applied = await migrate(db);
        console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date.');
      } finally {
        await db.close();
      }
      return 0;
    }
    case 'demo': {
      const v = parse({ patients: { type: 'string' }, seed: { type: 'string' } });
      const db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
      try {
        await migrate(db);
        if (!(await isEmptyRegistry(db))) {
          console.error(
            'stemtrack demo: this database already has users; seed the demo only into a new one.',
          );
          return 1;
        }
        const summary = await seedDemoRegistry(db, {
          seed: positiveInt(v.seed as string | undefined, 1, 'seed'),
          patients: positiveInt(v.patients as string | undefined, 600, 'patients'),
          now: new Date(),
        });
        console.log(
          `Seeded ${summary.patients} patients and ${summary.responses} responses at ${summary.sites.join(' and ')}.`,
        );
      } finally {
        await db.close();
      }
      return 0;
    }
    case 'import-evidence': {
      // Checked before reading: a file far over the limit is never loaded into memory.
      const named = args[0];
      if (named && named !== '-' && existsSync(named))
        checkEvidenceImportSize(basename(named), statSync(named).size);
      const input = readOneFile('import-evidence', args, 'give one CSV or JSON file');
      if (!input) return 1;
      const { file, text } = input;
      const db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
      try {
        await migrate(db);
        const result = await importEvidence(
          { db, now: () => new Date(), publicUrl: '', views: new ViewCache() },
          basename(file),
          text,
        );
        console.log(`Imported ${result.imported} trial arm row(s) from ${file}.`);
        for (const r of result.refused) console.log(`Left out '${r.outcome}': ${r.reason}`);
      } finally {
        await db.close();
      }
      return 0;
    }
    case 'report': {
      const { site, json, ...filters } = parse({
        site: { type: 'string' },
        json: { type: 'boolean' },
        ...Object.fromEntries(COHORT_OPTIONS.map((name) => [name, { type: 'string' as const }])),
      });
      // Checked before the database opens: a bad filter is a usage error, nothing else runs.
      const cohort = cohortOf(filters);
      const db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
      try {
        await migrate(db);
        let siteId: string | undefined;
        if (site) {
          const [found] = await db.query<{ id: string }>('select id from sites where name = $1', [
            site,
          ]);
          if (!found) {
            console.error(`stemtrack report: no site named '${site}'`);
            return 1;
          }
          siteId = found.id;
        }
        const report = await outcomeReport(db, { ...(siteId ? { siteId } : {}), ...cohort });
        process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : reportText(report));
      } finally {
        await db.close();
      }
      return 0;
    }
    case 'backup': {
      const input = args.filter((a) => !a.startsWith('--'));
      const file = input[0];
      if (!file || input.length !== 1) throw new UsageError('give one backup file to write');
      if (existsSync(file)) {
        console.error(`stemtrack backup: ${file} exists; choose a new file name`);
        return 1;
      }
      const db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
      try {
        const summary = await writeBackupFile(db, file);
        const rows = Object.values(summary.tables).reduce((n, t) => n + t.rows, 0);
        console.log(
          `Backed up ${Object.keys(summary.tables).length} tables, ${rows} rows (schema ${summary.migrations.at(-1)}) to ${file}`,
        );
      } finally {
        await db.close();
      }
      return 0;
    }
    case 'restore': {
      const input = args.filter((a) => !a.startsWith('--'));
      const file = input[0];
      if (!file || input.length !== 1) throw new UsageError('give one backup file to read');
      if (!existsSync(file)) {
        console.error(`stemtrack restore: no file ${file}`);
        return 1;
      }
      const db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
      try {
        const summary = await restoreBackupFile(db, file);
        const rows = Object.values(summary.tables).reduce((n, t) => n + t.rows, 0);
        console.log(
          `Restored ${rows} rows in ${Object.keys(summary.tables).length} tables; every table matches the backup's digest.`,
        );
        if (summary.upgradedWith.length > 0)
          console.log(`Then applied newer migrations: ${summary.upgradedWith.join(', ')}`);
      } finally {
        await db.close();
      }
      return 0;
    }
    case 'export': {
      const v = parse({ site: { type: 'string' }, out: { type: 'string' } });
      const siteName = typeof v.site === 'string' ? v.site : undefined;
      const outDir = typeof v.out === 'string' ? v.out : undefined;
      if (!siteName || !outDir) throw new UsageError('give --site NAME and --out DIR');
      const db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
      try {
        await migrate(db);
        const [site] = await db.query<{ id: string }>('select id from sites where name = $1', [
          siteName,
        ]);
        if (!site) {
          console.error(`stemtrack export: no site named '${siteName}'`);
          return 1;
        }
        mkdirSync(outDir, { recursive: true });
        const ctx = { db, now: () => new Date(), publicUrl: '', views: new ViewCache() };
        for (const kind of EXPORT_KINDS) {
          const file = await buildExport(ctx, { siteId: site.id }, kind, 'deidentified');
          writeFileSync(join(outDir, file.fileName), file.body);
          console.log(`wrote ${join(outDir, file.fileName)}`);
        }
      } finally {
        await db.close();
      }
      return 0;
    }
    case 'import-instrument': {
      const input = readOneFile('import-instrument', args, 'give one JSON file');
      if (!input) return 1;
      const { file, text } = input;
      const db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
      try {
        await migrate(db);
        const { definition, outcome } = await importLicensedInstrument(db, basename(file), text);
        const items = definition.sections.reduce((n, s) => n + s.items.length, 0);
        console.log(
          `${outcome === 'added' ? 'Imported' : 'Replaced'} ${definition.shortName} (id ${definition.id}, ${items} items, ${definition.scales.length} scales). Restart StemTrack to offer it.`,
        );
      } finally {
        await db.close();
      }
      return 0;
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
      const password = await readSecret(
        'Password (at least 12 characters): ',
        Boolean(v['password-stdin']),
      );
      const db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
      try {
        await migrate(db);
        const user = await db.transaction((tx) =>
          createUser(tx, String(v.site), { email: v.email, name: v.name, role: v.role, password }),
        );
        console.log(`Created ${user.role} ${user.email} at ${user.siteName}.`);
      } finally {
        await db.close();
      }
      return 0;
    }
  }
  return 2;
}

/** The one file a command takes: usage error if not exactly one, message and undefined if unreadable. */
function readOneFile(
  command: string,
  args: string[],
  usage: string,
): { file: string; text: string } | undefined {
  const file = args[0];
  if (!file || args.length > 1 || file.startsWith('-')) throw new UsageError(usage);
  const text = readInputFile(command, file);
  return text === undefined ? undefined : { file, text };
}
