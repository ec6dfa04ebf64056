import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'stemtrack-cli-'));

/** Runs the package's `bin` entry, as `npx stemtrack` does. */
function stemtrack(args: string[], input = '') {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'stemtrack.js'), ...args], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '' },
    input,
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('stemtrack CLI', () => {
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
    expect(badOption.err).toContain('--colour');
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
    expect(weak.err).toContain('password: Use at least 12 characters');
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
});
