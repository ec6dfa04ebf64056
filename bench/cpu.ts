import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** CPU time of processes, from /proc (Linux): utime + stime, and what reaped children used. */
const TICK_MS = (() => {
  try {
    return 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  } catch {
    return 10;
  }
})();
export function procStat(pid: number): { ppid: number; own: number; reaped: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at its closing parenthesis.
    const f = text
      .slice(text.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    return {
      ppid: f[1] ?? 0,
      own: ((f[11] ?? 0) + (f[12] ?? 0)) * TICK_MS,
      reaped: ((f[13] ?? 0) + (f[14] ?? 0)) * TICK_MS,
    };
  } catch {
    return undefined;
  }
}
function childrenOf(pid: number): number[] {
  if (!existsSync('/proc')) return [];
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((p) => procStat(p)?.ppid === pid);
}
/** Milliseconds of CPU a process and its children have used so far (ended children included). */
export function treeCpuMs(pid: number): number {
  const self = procStat(pid);
  if (!self) return 0;
  return (
    self.own + self.reaped + childrenOf(pid).reduce((ms, c) => ms + (procStat(c)?.own ?? 0), 0)
  );
}
