import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
}

/**
 * Runs `stemtrack start` in its own process, as an operator would, on a free port, with the
 * given environment (DATA_DIR or DATABASE_URL); resolves once it prints its URL.
 */
export function spawnStemTrack(
  env: Record<string, string>,
  args: string[] = ['--no-demo'],
  /** Options for node itself, such as --cpu-prof (NODE_OPTIONS refuses some). */
  nodeArgs: string[] = [],
): Promise<ServerProcess> {
  const script = join(ROOT, 'bin', 'stemtrack.js');
  const child = spawn(process.execPath, [...nodeArgs, script, 'start', ...args], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL in 90 s:\n${output}`)), 90_000);
    const onData = (d: Buffer) => {
      output += d;
      const m = /running at (http:\/\/\S+)/.exec(output);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve({ url: m[1], child, output: () => output });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`stemtrack start exited with ${code}:\n${output}`));
    });
  });
}

/** Stops a server started by spawnStemTrack and waits for it to exit. */
export async function stopStemTrack(server: ServerProcess, signal: NodeJS.Signals = 'SIGTERM') {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  const exited = new Promise((r) => server.child.once('exit', r));
  server.child.kill(signal);
  await exited;
}
