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

/** The whole machine's CPU time so far (/proc/stat), busy and in all, in milliseconds. */
export function machineCpuMs(): { busy: number; all: number } {
  try {
    const [label, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.split(/\s+/) ?? [];
    if (label !== 'cpu') return { busy: 0, all: 0 };
    // user nice system idle iowait irq softirq steal (guest time is already in user).
    const t = ticks.slice(0, 8).map(Number);
    const all = t.reduce((a, b) => a + b, 0);
    const idle = (t[3] ?? 0) + (t[4] ?? 0);
    return { busy: (all - idle) * TICK_MS, all: all * TICK_MS };
  } catch {
    return { busy: 0, all: 0 };
  }
}

/** How many of the machine's cores were busy between two readings, on average. */
export function coresBusy(
  before: { busy: number; all: number },
  after: { busy: number; all: number },
  cores: number,
): number {
  const all = after.all - before.all;
  return all > 0 ? ((after.busy - before.busy) / all) * cores : 0;
}
