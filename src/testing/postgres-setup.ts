import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of a PostgreSQL server for integration tests, or '' when none is available. */
    postgresUrl: string;
  }
}

/** Finds PostgreSQL's server binaries: on PATH, or where Debian installs them. */
function findPgBin(): string | undefined {
  const onPath = (process.env.PATH ?? '').split(':').find((d) => existsSync(join(d, 'initdb')));
  // initdb on PATH is often a link; its siblings (postgres, pg_isready) are where it points.
  if (onPath) return dirname(realpathSync(join(onPath, 'initdb')));
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => join(root, v, 'bin')).find((d) => existsSync(join(d, 'initdb')));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

async function waitForPostgres(bin: string, port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      execFileSync(join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)], {
        stdio: 'ignore',
      });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error('the temporary PostgreSQL server did not start');
}

/**
 * Gives the integration tests a PostgreSQL server: TEST_DATABASE_URL when set (CI starts
 * one), otherwise a throwaway cluster on a free loopback port, removed afterwards.
 */
export default async function setup(project: TestProject) {
  const given = process.env.TEST_DATABASE_URL;
  if (given) {
    project.provide('postgresUrl', given);
    return;
  }
  const bin = findPgBin();
  if (!bin) {
    console.warn(
      '\n[int] PostgreSQL tests will be SKIPPED: TEST_DATABASE_URL is not set and no PostgreSQL server binaries (initdb) were found. Install the postgresql package or set TEST_DATABASE_URL.\n',
    );
    project.provide('postgresUrl', '');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'stemtrack-pg-'));
  // PostgreSQL refuses to run as root; run it as the postgres system user then.
  const isRoot = process.getuid?.() === 0;
  if (isRoot) {
    chmodSync(dir, 0o777);
    execFileSync('chown', ['postgres', dir]);
  }
  const dataDir = join(dir, 'data');
  const run = (cmd: string, args: string[]) =>
    isRoot
      ? execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe' })
      : execFileSync(cmd, args, { stdio: 'pipe' });
  run(join(bin, 'initdb'), ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const port = await freePort();
  const args = ['-D', dataDir, '-p', String(port), '-h', '127.0.0.1', '-k', dir, '-c', 'fsync=off'];
  const server: ChildProcess = isRoot
    ? spawn('runuser', ['-u', 'postgres', '--', join(bin, 'postgres'), ...args], {
        stdio: 'ignore',
      })
    : spawn(join(bin, 'postgres'), args, { stdio: 'ignore' });
  await waitForPostgres(bin, port);
  project.provide('postgresUrl', `postgres://postgres@127.0.0.1:${port}/postgres`);
  return async () => {
    // Signal the postmaster itself (SIGINT = fast shutdown): runuser does not pass SIGINT on
    // to its child, and waiting for an exit that never comes hung the whole test run.
    const exited = new Promise((r) => server.once('exit', r));
    const pidFile = join(dataDir, 'postmaster.pid');
    const postmaster = existsSync(pidFile)
      ? Number(readFileSync(pidFile, 'utf8').split('\n')[0])
      : 0;
    if (postmaster > 0) process.kill(postmaster, 'SIGINT');
    else server.kill('SIGTERM');
    const timer = setTimeout(() => server.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
    rmSync(dir, { recursive: true, force: true });
  };
}
