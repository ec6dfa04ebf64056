import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Fhir } from 'fhir';
import { afterAll, describe, expect, it } from 'vitest';
import { openPglite } from '../store/db.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'stemtrack-cli-'));

/** Runs the package's `bin` entry, as `npx stemtrack` does. */
function stemtrack(args: string[], input = '', dir = dataDir) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'stemtrack.js'), ...args], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dir, DATABASE_URL: '', BACKUP_KEY: '4b'.repeat(32) },
    input,
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

// Each test runs the real binary several times; on a loaded 2-core machine one run can take
// 10–20 s, so the suite's limit only catches a hang.
describe('stemtrack CLI', { timeout: 600_000 }, () => {
  it('answers `npx stemtrack --help` in the project after npm ci', () => {
    const r = spawnSync('npx', ['--no-install', 'stemtrack', '--help'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: stemtrack <command>');
  });

  it('lists its commands with --help, and each command explains itself', () => {
    const help = stemtrack(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['start', 'migrate', 'demo', 'create-user'])
      expect(help.out).toContain(command);
    for (const command of ['start', 'migrate', 'demo', 'create-user']) {
      const r = stemtrack([command, '--help']);
      expect(r.code).toBe(0);
      expect(r.out).toContain(`Usage: stemtrack ${command}`);
    }
  });

  it('exits non-zero with a clear message for an unknown command or option', () => {
    const unknown = stemtrack(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("unknown command 'frobnicate'");
    const badOption = stemtrack(['demo', '--colour', 'red']);
    expect(badOption.code).toBe(2);
    expect(badOption.err).toContain(
      'stemtrack demo: there is no option --colour; the options are --patients, --seed',
    );
    const noValue = stemtrack(['demo', '--patients']);
    expect(noValue.code).toBe(2);
    expect(noValue.err).toContain('--patients needs a value after it');
    const notNumber = stemtrack(['demo', '--patients', 'many']);
    expect(notNumber.code).toBe(2);
    expect(notNumber.err).toContain("--patients must be a whole number such as 600, not 'many'");
  });

  it('names the environment variable that is wrong, in words', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'stemtrack.js'), 'migrate'], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', PORT: 'eighty', TLS: 'yes' },
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('PORT: must be a port number from 0 to 65535');
    expect(r.stderr).toContain('TLS: must be true or false');
    const refused = spawnSync(process.execPath, [join(ROOT, 'bin', 'stemtrack.js'), 'migrate'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: 'postgres://nobody:x@127.0.0.1:1/none' },
      encoding: 'utf8',
    });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(
      'cannot connect to the PostgreSQL server of DATABASE_URL: nothing answers at that address',
    );
  });

  it('migrates, seeds a reproducible demo, and refuses to seed twice', () => {
    expect(stemtrack(['migrate']).out).toContain('Applied: 0001_init');
    expect(stemtrack(['migrate']).out).toContain('Database is up to date.');
    const demo = stemtrack(['demo', '--patients', '30', '--seed', '3']);
    expect(demo.code).toBe(0);
    expect(demo.out).toMatch(/Seeded 30 patients and \d+ responses/);
    const again = stemtrack(['demo']);
    expect(again.code).toBe(1);
    expect(again.err).toContain('already has users');
  });

  it('creates users, and names what is wrong with a bad one', () => {
    const ok = stemtrack(
      [
        'create-user',
        '--email',
        'Boss@Clinic.test',
        '--name',
        'Boss',
        '--role',
        'admin',
        '--site',
        'Clinic',
        '--password-stdin',
      ],
      'a long enough password\n',
    );
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('Created admin boss@clinic.test at Clinic');
    const weak = stemtrack(
      [
        'create-user',
        '--email',
        'x@clinic.test',
        '--name',
        'X',
        '--role',
        'owner',
        '--site',
        'Clinic',
        '--password-stdin',
      ],
      'short\n',
    );
    expect(weak.code).toBe(1);
    expect(weak.err).toContain('role: Role must be one of admin, clinician, researcher');
    expect(weak.err).toContain('password: Use at least 8 characters');
    const missing = stemtrack(['create-user', '--email', 'y@clinic.test']);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('--name is required');
    const duplicate = stemtrack(
      [
        'create-user',
        '--email',
        'boss@clinic.test',
        '--name',
        'B',
        '--role',
        'admin',
        '--site',
        'Clinic',
        '--password-stdin',
      ],
      'a long enough password\n',
    );
    expect(duplicate.code).toBe(1);
    expect(duplicate.err).toContain('already exists');
  });

  it('scores a KOOS CSV to CSV and to unrounded JSON, with null where the rule allows no score', () => {
    const codes = [
      ...['S1', 'S2', 'S3', 'S4', 'S5', 'S6', 'S7'],
      ...['P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P7', 'P8', 'P9'],
      ...Array.from({ length: 17 }, (_, i) => `A${i + 1}`),
      ...['SP1', 'SP2', 'SP3', 'SP4', 'SP5'],
      ...['Q1', 'Q2', 'Q3', 'Q4'],
    ];
    const answered = (value: (code: string) => string) => codes.map(value).join(',');
    // Row "half": Q1-Q3 answered 1, 1, 2 and Q4 blank -> QOL 100 - (4/3)*25; sport has only
    // 2 of 5 answered, under the half-of-the-items minimum, so no sport score.
    const half = answered((c) => {
      if (c === 'Q1' || c === 'Q2') return '1';
      if (c === 'Q3') return '2';
      return c === 'Q4' || (c.startsWith('SP') && c > 'SP2') ? '' : '0';
    });
    const csv = `id,${codes.join(',')}\nall-none,${answered(() => '0')}\nhalf,${half}\n`;
    const asCsv = stemtrack(['score', 'KOOS', '-'], csv);
    expect(asCsv.err).toBe('');
    expect(asCsv.code).toBe(0);
    const lines = asCsv.out.trim().split('\n');
    // Instrument ids are read in any case: KOOS is koos.
    expect(lines[0]).toBe('id,pain,symptoms,adl,sport,qol');
    expect(lines[1]).toBe('all-none,100,100,100,100,100');
    const asJson = stemtrack(['score', 'koos', '-', '--format', 'json'], csv);
    expect(asJson.code).toBe(0);
    expect(JSON.parse(asJson.out)[1]).toEqual({
      id: 'half',
      pain: 100,
      symptoms: 100,
      adl: 100,
      sport: null,
      qol: 100 - (4 / 3) * 25,
    });
  });

  it('scores KOOS JR from a file of full KOOS answers when told to leave the other columns out', () => {
    const codes = [
      ...Array.from({ length: 7 }, (_, i) => `S${i + 1}`),
      ...Array.from({ length: 9 }, (_, i) => `P${i + 1}`),
      ...Array.from({ length: 17 }, (_, i) => `A${i + 1}`),
      ...Array.from({ length: 5 }, (_, i) => `SP${i + 1}`),
      ...Array.from({ length: 4 }, (_, i) => `Q${i + 1}`),
    ];
    // Every KOOS item answered 2: the seven KOOS JR items sum to 14, which the HSS table gives as 52.465.
    const csv = `id,${codes.join(',')}\nk1,${codes.map(() => '2').join(',')}\n`;
    const refused = stemtrack(['score', 'koos-jr', '-'], csv);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('column P1: KOOS JR has no item P1');
    expect(refused.err).toContain('add --ignore-other-columns');
    // A file of KOOS JR's own items with a bad value gets no such advice.
    const bad = stemtrack(['score', 'koos-jr', '-'], 'id,S6,P2\nk1,9,1\n');
    expect(bad.code).toBe(1);
    expect(bad.err).not.toContain('--ignore-other-columns');
    const r = stemtrack(['score', 'koos-jr', '-', '--ignore-other-columns'], csv);
    expect(r.code).toBe(0);
    expect(r.out).toBe('id,kneeHealth\nk1,52.465\n');
    expect(r.err).toContain('left out 35 column(s) that are not KOOS JR items: S1, S2');
  });

  it('names the row and column of a bad value, writes nothing, and exits 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stemtrack-score-'));
    const file = join(dir, 'answers.csv');
    writeFileSync(file, 'id,P1,P2\nok,1,2\nbad,7,1\n');
    const r = stemtrack(['score', 'koos', file]);
    rmSync(dir, { recursive: true });
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toContain(`${file}: row 3, column P1: "7" is not one of 0, 1, 2, 3, 4`);
    const usage = stemtrack(['score', 'womac', '-']);
    expect(usage.code).toBe(2);
    expect(usage.err).toContain("unknown instrument 'womac'; give one of nrs-pain, koos,");
    const missing = stemtrack(['score', 'koos', join(dir, 'gone.csv')]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain(`cannot read ${join(dir, 'gone.csv')}: there is no such file`);
    const unclosed = stemtrack(['score', 'koos', '-'], 'id,P1\n"a,1\n');
    expect(unclosed.code).toBe(1);
    expect(unclosed.err).toContain('A quoted field is never closed');
    const help = stemtrack(['score', '--help']);
    expect(help.out).toContain('Usage: stemtrack score INSTRUMENT|DEFINITION.json FILE.csv');
  });

  it('pools a CSV of studies with `stemtrack meta`, as metafor does, and draws the plots', () => {
    const fixtures = join(ROOT, 'src', 'core', 'stats', 'fixtures');
    const reference = JSON.parse(readFileSync(join(fixtures, 'ref03.json'), 'utf8'));
    const r = stemtrack([
      'meta',
      join(fixtures, 'ref03.csv'),
      '--measure',
      'SMD',
      '--method',
      'PM',
      '--ci',
      'knha',
      '--format',
      'json',
    ]);
    expect(r.err).toBe('');
    const got = JSON.parse(r.out);
    const want = reference.fits['PM/knha'];
    expect(Object.keys(got)).toEqual(Object.keys(want));
    for (const key of Object.keys(want))
      expect(Math.abs(got[key] - want[key])).toBeLessThanOrEqual(
        1e-6 * Math.max(1, Math.abs(want[key])),
      );

    const dir = mkdtempSync(join(tmpdir(), 'stemtrack-meta-'));
    const text = stemtrack([
      'meta',
      join(fixtures, 'bcg.csv'),
      '--plot',
      join(dir, 'forest.svg'),
      '--funnel',
      join(dir, 'funnel.svg'),
    ]);
    expect(text.code).toBe(0);
    expect(text.out).toContain('Random-effects model (tau² by REML), k = 13');
    expect(text.out).toContain('Aronson 1948');
    expect(text.out).toContain('95% prediction interval [−1.867, 0.438]');
    expect(readFileSync(join(dir, 'forest.svg'), 'utf8')).toContain('Hart &#38; Sutherland 1977');
    expect(readFileSync(join(dir, 'funnel.svg'), 'utf8').match(/<circle /g)).toHaveLength(13);
    rmSync(dir, { recursive: true });
  });

  it('reports bad meta-analysis input by row and column, and bad options as usage errors', () => {
    const bad = stemtrack(['meta', '-'], 'study,yi,vi\nA,0.2,0.1\nB,zero,0.1\n');
    expect(bad.code).toBe(1);
    expect(bad.out).toBe('');
    expect(bad.err).toContain('-: row 3, column yi: "zero" is not a number');
    const option = stemtrack(['meta', '-', '--method', 'ML'], 'study,yi,vi\nA,1,1\n');
    expect(option.code).toBe(2);
    expect(option.err).toContain("--method is one of REML, DL, PM, FE, not 'ML'");
  });

  it('imports evidence from a ClinicalTrials.gov record and says what it left out', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stemtrack-evidence-'));
    const file = join(dir, 'NCT00000000.json');
    // An invented record in the API v2 shape, with one readable and one unreadable outcome.
    const group = (id: string, title: string) => ({ id, title });
    writeFileSync(
      file,
      JSON.stringify({
        protocolSection: { identificationModule: { nctId: 'NCT00000000' } },
        resultsSection: {
          outcomeMeasuresModule: {
            outcomeMeasures: [
              {
                title: 'Pain VAS',
                paramType: 'MEAN',
                dispersionType: 'STANDARD_DEVIATION',
                unitOfMeasure: 'mm',
                timeFrame: '6 months',
                groups: [
                  group('OG000', 'Bone marrow aspirate concentrate'),
                  group('OG001', 'Saline'),
                ],
                denoms: [
                  {
                    counts: [
                      { groupId: 'OG000', value: '12' },
                      { groupId: 'OG001', value: '11' },
                    ],
                  },
                ],
                classes: [
                  {
                    categories: [
                      {
                        measurements: [
                          { groupId: 'OG000', value: '31', spread: '9' },
                          { groupId: 'OG001', value: '35', spread: '8' },
                        ],
                      },
                    ],
                  },
                ],
              },
              { title: 'Lequesne index', paramType: 'MEAN', timeFrame: '6 months' },
            ],
          },
        },
      }),
    );
    const r = stemtrack(['import-evidence', file]);
    rmSync(dir, { recursive: true });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Imported 2 trial arm row(s)');
    expect(r.out).toContain("Left out 'Lequesne index': Scale not recognised");
    const missing = stemtrack(['import-evidence', join(dir, 'gone.csv')]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('cannot read');
  });

  it('imports a licensed instrument definition, refusing a bad one with every problem named', () => {
    const example = join(ROOT, 'src/core/instruments/fixtures/example-licensed.json');
    const ok = stemtrack(['import-instrument', example]);
    expect(ok.err).toBe('');
    expect(ok.out).toContain('Imported EJS (id example-joint-scale, 3 items, 1 scales)');
    expect(stemtrack(['import-instrument', example]).out).toContain('Replaced EJS');
    const dir = mkdtempSync(join(tmpdir(), 'stemtrack-instrument-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({ ...JSON.parse(readFileSync(example, 'utf8')), id: 'koos' }),
    );
    const refused = stemtrack(['import-instrument', bad]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('id: koos is a built-in instrument');
    // The schema's checks read as words, not as its own terms ("expected string, received undefined").
    writeFileSync(
      bad,
      JSON.stringify({
        ...JSON.parse(readFileSync(example, 'utf8')),
        name: undefined,
        colour: 'red',
      }),
    );
    const unworded = stemtrack(['import-instrument', bad]);
    expect(unworded.code).toBe(1);
    expect(unworded.err).toContain('name: Is missing; give text');
    expect(unworded.err).toContain('Has no field colour; remove it or check the spelling');
    expect(unworded.err).not.toMatch(/expected|received|Unrecognized/);
    rmSync(dir, { recursive: true });
  });

  it('scores with a definition file, writes a valid FHIR Bundle, and prints a Questionnaire', () => {
    const example = join(ROOT, 'src/core/instruments/fixtures/example-licensed.json');
    const csv = 'id,E1,E2,E3\nr1,0,4,\nr2,1,,\n';
    const scored = stemtrack(['score', example, '-', '--format', 'json'], csv);
    expect(scored.err).toBe('');
    expect(JSON.parse(scored.out)).toEqual([
      { id: 'r1', total: 50 },
      { id: 'r2', total: null },
    ]);
    const bundle = JSON.parse(
      stemtrack(['score', 'koos', '-', '--format', 'fhir'], 'id,P1,P2\nr 1,1,2\n').out,
    );
    expect(bundle.resourceType).toBe('Bundle');
    expect(
      bundle.entry.map((e: { resource: { resourceType: string } }) => e.resource.resourceType),
    ).toEqual(['QuestionnaireResponse', ...Array(5).fill('Observation')]);
    expect(new Fhir().validate(bundle).messages.filter((m) => m.severity === 'error')).toEqual([]);
    expect(bundle.entry[0].resource.id).toBe('r-1');
    const questionnaire = JSON.parse(stemtrack(['questionnaire', 'NRS-Pain']).out);
    expect(questionnaire).toMatchObject({
      resourceType: 'Questionnaire',
      id: 'nrs-pain',
      status: 'active',
    });
  });

  it('reports outcomes per time point for a cohort, as text or JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stemtrack-report-'));
    expect(stemtrack(['demo', '--patients', '40', '--seed', '4'], '', dir).code).toBe(0);
    const report = (args: string[]) => stemtrack(['report', ...args], '', dir);
    const text = report(['--joint', 'knee']);
    expect(text.err).toBe('');
    expect(text.out).toMatch(/^\d+ treated joints with scores\./);
    expect(text.out.indexOf('NRS pain')).toBeLessThan(text.out.indexOf('KOOS Pain'));
    expect(text.out).toContain('not treatment effects');
    const json = JSON.parse(report(['--json', '--site', 'Harbour Orthobiologics Clinic']).out);
    const baseline = json.outcomes.find(
      (o: { scale: string; timepoint: string }) => o.scale === 'pain' && o.timepoint === 'baseline',
    );
    expect(baseline.level.n).toBeGreaterThan(0);
    expect(baseline.change).toBeNull();
    // Durability, safety and completeness of the same site and cohort.
    expect(json.sites).toHaveLength(1);
    const [site] = json.sites;
    expect(site.durability.cohort.joints).toBe(site.completeness.cohort.joints);
    expect(site.durability.arthroplastyFree.steps.length).toBeGreaterThan(0);
    expect(site.safety.byProduct.length).toBeGreaterThan(0);
    // Completeness split by mode and channel, and response after each message (simulated).
    const modes = site.outreach.timepoints.flatMap(
      (t: { byMode: { mode: string; completed: number }[] }) =>
        t.byMode.filter((m) => m.completed > 0).map((m) => m.mode),
    );
    expect(new Set(modes)).toEqual(new Set(['web-email', 'web-sms', 'phone', 'paper', 'tablet']));
    expect(site.outreach.afterEachMessage[0]).toMatchObject({ message: 'Invitation' });
    expect(text.out).toContain('completeness by mode of administration');
    expect(text.out).toContain('Answered after each message, before the next');
    const knees = JSON.parse(
      report(['--json', '--site', 'Harbour Orthobiologics Clinic', '--joint', 'knee']).out,
    );
    expect(knees.sites[0].durability.cohort.joints).toBeLessThan(site.durability.cohort.joints);
    // The mixed-model trajectory sits beside the raw means: its baseline is the intercept.
    expect(text.out).toContain('Model change');
    const nrsModel = json.trajectories.find(
      (t: { instrumentId: string }) => t.instrumentId === 'nrs-pain',
    ).model;
    expect(nrsModel.fit.fixed[0].term).toBe('(Intercept)');
    expect(nrsModel.timepoints[0]).toMatchObject({ timepoint: 'baseline', change: null });
    expect(nrsModel.fit.nGroups).toBeLessThanOrEqual(json.joints);
    // Shares past the thresholds of the definition files, and OMERACT-OARSI responders.
    expect(text.out).toContain('Past MCID (15.0)');
    expect(text.out).toContain('In PASS (84.5)');
    expect(text.out).toContain('OMERACT-OARSI responders');
    const koosPain6m = json.thresholds.find(
      (t: { instrumentId: string; scale: string; timepoint: string }) =>
        t.instrumentId === 'koos' && t.scale === 'pain' && t.timepoint === 'm6',
    );
    expect(koosPain6m.mcid).toBe(15);
    expect(koosPain6m.pastMcid.n).toBeGreaterThan(0);
    expect(koosPain6m.pastMcid.lower).toBeLessThanOrEqual(koosPain6m.pastMcid.share);
    const responders6m = json.responders.byTimepoint.find(
      (r: { timepoint: string }) => r.timepoint === 'm6',
    );
    expect(responders6m.upperBound.count).toBe(
      responders6m.responders.count + responders6m.undetermined,
    );
    // The dose–response says which dose it used: a series' total.
    expect(text.out).toContain("Which dose: A joint's dose is the total of its first series");
    // Work status per time point, in the form's words with n, never its item code.
    expect(text.out).toContain('Work status (ICHOM hip & knee osteoarthritis set');
    expect(text.out).toMatch(/Joints answering \(n\)\s+\d+/);
    expect(text.out).toMatch(/In paid work, full time\s+\d+ \(\d+%\)/);
    expect(text.out).not.toMatch(/\bWORK\b/);
    const work12 = json.workStatus.find((w: { timepoint: string }) => w.timepoint === 'm12');
    expect(work12.n).toBeGreaterThan(0);
    expect(
      work12.answers.reduce((s: number, a: { share: { count: number } }) => s + a.share.count, 0),
    ).toBe(work12.n);
    const bad = report(['--site', 'Nowhere']);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain(
      "no site named 'Nowhere'. The sites are:\n  Harbour Orthobiologics Clinic\n  Northside Joint Centre\n",
    );
    const filters = report(['--kl', '7', '--joint', 'elbow']);
    expect(filters.code).toBe(2);
    expect(filters.err).toContain(
      '--kl: The Kellgren–Lawrence grade is a whole number from 0 to 4',
    );
    expect(filters.err).toContain(
      '--joint: The joint is one of knee, hip, shoulder, ankle, hand, other',
    );
    expect(report(['--treatedFrom', '2025-02-30']).err).toContain(
      '--treatedFrom: Enter a real date as YYYY-MM-DD',
    );
    rmSync(dir, { recursive: true, force: true });
  });

  it('backs a registry up to a file and restores it into an empty folder, refusing misuse', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stemtrack-backup-'));
    const source = join(dir, 'source');
    const target = join(dir, 'target');
    const file = join(dir, 'registry.jsonl.gz');
    expect(stemtrack(['demo', '--patients', '30', '--seed', '5'], '', source).code).toBe(0);
    const backup = stemtrack(['backup', file], '', source);
    expect(backup.err).toBe('');
    // Every table of the schema (their number grows with the migrations; backup.int.test.ts
    // checks each table's rows and digest).
    expect(backup.out).toMatch(/^Backed up \d+ tables, \d+ rows \(schema \d+\) to /);
    expect(stemtrack(['backup', file], '', source)).toMatchObject({ code: 1 });
    const restored = stemtrack(['restore', file], '', target);
    expect(restored.out).toContain("the signature and every table's digest match the backup");
    expect(restored.out).toContain('Patients erased after that are back in it');
    // Erasures recorded in newer backups are applied again (this one records none).
    const again = stemtrack(['restore', file, '--erasures-from', file], '', join(dir, 'again'));
    expect(again.out).toContain('Erased again 0 patients whose erasure the newer backup records');
    expect(
      stemtrack(
        ['restore', file, '--erasures-from', join(dir, 'missing.gz')],
        '',
        join(dir, 'never'),
      ),
    ).toMatchObject({ code: 1, err: expect.stringContaining('there is no file') });
    expect(stemtrack(['audit', 'verify'], '', target)).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^Every chain holds: \d+ audit rows in \d+ chains/),
    });
    expect(stemtrack(['restore', file], '', target).err).toContain('needs an empty database');
    // The restored registry reports the same outcomes as the original (as printed: sums in
    // the database may differ in the last binary digit with the rows' physical order).
    const report = (d: string) => stemtrack(['report'], '', d).out;
    expect(report(target)).toEqual(report(source));
    expect(stemtrack(['restore', join(dir, 'missing.gz')], '', target).code).toBe(1);
    rmSync(dir, { recursive: true, force: true });
  });

  it('exports a site into a new folder: progress, sizes, FHIR NDJSON per resource type', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stemtrack-export-'));
    const db = join(dir, 'db');
    const out = join(dir, 'out');
    expect(stemtrack(['demo', '--patients', '20', '--seed', '6'], '', db).code).toBe(0);
    const site = 'Harbour Orthobiologics Clinic';
    const r = stemtrack(['export', '--site', site, '--out', out], '', db);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Read \d+ patients, \d+ treatments and \d+ questionnaire responses\.$/m);
    expect(r.out).toMatch(/^Writing scores\.csv \(\d+ rows\)…$/m);
    expect(r.out).toMatch(/^Writing Observation\.ndjson \(\d+ resources\)…$/m);
    const files = readdirSync(out).sort();
    expect(files).toEqual(
      [
        'Observation.ndjson',
        'Patient.ndjson',
        'Procedure.ndjson',
        'QuestionnaireResponse.ndjson',
        'adverse-events.csv',
        'data-dictionary.csv',
        'figures.csv',
        'joints.csv',
        'later-events.csv',
        'reproduce.R',
        'scales.csv',
        'scores.csv',
        'treatments.csv',
      ].sort(),
    );
    expect(r.out).toContain(`Wrote ${files.length} files,`);
    for (const file of files)
      expect(r.out).toMatch(
        new RegExp(`${file.replace('.', '\\.')}\\s+\\d+(\\.\\d)? (B|kB|MB)$`, 'm'),
      );
    // Bulk Data format: one resource of the file's type per line, each valid FHIR R4, no Bundle.
    const fhir = new Fhir();
    for (const file of files.filter((f) => f.endsWith('.ndjson'))) {
      const type = file.replace('.ndjson', '');
      const lines = readFileSync(join(out, file), 'utf8').trimEnd().split('\n');
      expect(r.out).toContain(`Writing ${file} (${lines.length} resources)…`);
      for (const line of lines) {
        const resource = JSON.parse(line);
        expect(resource.resourceType).toBe(type);
        expect(fhir.validate(resource).messages.filter((m) => m.severity === 'error')).toEqual([]);
      }
    }
    const patients = readFileSync(join(out, 'Patient.ndjson'), 'utf8');
    expect(patients).toMatch(/"id":"S-/);
    expect(patients).not.toContain('birthDate');

    const again = stemtrack(['export', '--site', site, '--out', out], '', db);
    expect(again.code).toBe(1);
    expect(again.err).toContain(`the folder ${out} is not empty`);
    expect(again.err).toContain('add --force to write into this one');
    expect(stemtrack(['export', '--site', site, '--out', out, '--force'], '', db).code).toBe(0);
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    expect(stemtrack(['export', '--site', site, '--out', empty], '', db).code).toBe(0);

    const unknown = stemtrack(['export', '--site', 'harbour', '--out', join(dir, 'x')], '', db);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain(
      `no site named 'harbour'. The sites are:\n  ${site}\n  Northside Joint Centre\n`,
    );
    rmSync(dir, { recursive: true, force: true });
  });

  it("audit verify names a row changed behind StemTrack's back and exits 1", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stemtrack-audit-'));
    expect(stemtrack(['demo', '--patients', '5', '--seed', '2'], '', dir).code).toBe(0);
    expect(stemtrack(['audit', 'verify'], '', dir).code).toBe(0);
    const db = await openPglite(dir);
    const [row] = await db.query<{ id: string }>('select min(id)::text as id from audit_log');
    await db.query('alter table audit_log disable trigger audit_log_no_change');
    await db.query(`update audit_log set action = 'nothing' where id = $1::bigint`, [row?.id]);
    await db.close();
    const verify = stemtrack(['audit', 'verify'], '', dir);
    expect(verify.code).toBe(1);
    expect(row?.id).toBeDefined();
    expect(verify.err).toContain(`audit row ${row?.id} (`);
    expect(verify.err).toContain('does not match its hash');
    const usage = stemtrack(['audit'], '', dir);
    expect(usage.code).toBe(2);
    expect(stemtrack(['backup', join(dir, 'b.gz')], '', dir).code).toBe(0);
    const keyless = spawnSync(
      process.execPath,
      [join(ROOT, 'bin', 'stemtrack.js'), 'backup', join(dir, 'c.gz')],
      {
        cwd: ROOT,
        env: { ...process.env, DATA_DIR: dir, DATABASE_URL: '', BACKUP_KEY: '' },
        encoding: 'utf8',
      },
    );
    expect(keyless.status).toBe(1);
    expect(keyless.stderr).toContain('Set BACKUP_KEY');
    rmSync(dir, { recursive: true, force: true });
  });

  it('says in words that a file is not a backup, and restores nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stemtrack-notbackup-'));
    const notGzip = join(dir, 'notes.txt');
    writeFileSync(notGzip, 'not a backup\n');
    const unreadable = stemtrack(['restore', notGzip], '', join(dir, 'db'));
    expect(unreadable.code).toBe(1);
    expect(unreadable.err).toContain(
      `${notGzip} is not a StemTrack backup: it is not gzip-compressed`,
    );
    rmSync(dir, { recursive: true, force: true });
  });
});
