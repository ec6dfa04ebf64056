import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_INSTRUMENTS } from '../core/instruments/library.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const COMMANDS = [
  'start',
  'migrate',
  'demo',
  'create-user',
  'score',
  'meta',
  'import-evidence',
  'import-instrument',
  'questionnaire',
  'report',
  'export',
  'backup',
  'restore',
  'audit',
];

/** The real binary, as a person runs it; no database is set, since help needs none. */
function stemtrack(args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'stemtrack.js'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('stemtrack --help', () => {
  it('lists every command, and each command answers its own --help', () => {
    const help = stemtrack(['--help']);
    expect(help.code).toBe(0);
    expect(help.err).toBe('');
    for (const command of COMMANDS) {
      expect(help.out).toMatch(new RegExp(`^  ${command} `, 'm'));
      const own = stemtrack([command, '--help']);
      expect(own.code, command).toBe(0);
      expect(own.out).toContain(`Usage: stemtrack ${command}`);
    }
  });

  it("names every built-in instrument in score's help", () => {
    const help = stemtrack(['score', '--help']).out;
    const listed = /^Instruments \(upper or lower case\): (.*)$/m.exec(help)?.[1]?.split(', ');
    expect(listed).toEqual(BUILT_IN_INSTRUMENTS.map((d) => d.id));
  });
});
