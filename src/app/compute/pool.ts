import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DomainError, type ErrorCode } from '../../core/errors.ts';
import type { TaskInput, TaskName, TaskOutput } from './tasks.ts';

/** Tasks waiting beyond the running ones; more are refused at once (503) rather than queued. */
export const COMPUTE_QUEUE_LIMIT = 16;

// Workers are plain Node threads: they do not inherit the tsx hooks bin/stemtrack.js (or
// Vitest) installed, so a small script registers tsx in the thread and then loads the entry.
const BOOT = `
const { workerData } = require('node:worker_threads');
import(workerData.tsx).then((tsx) => { (tsx.register ?? tsx.default.register)(); return import(workerData.entry); });
`;
// Resolved when a thread starts, to tsx's ESM build (its CommonJS one does not register the
// loader): Vite's module runner (Vitest's global setup loads server code) has no
// import.meta.resolve, so the path is read from tsx's package.json.
const tsxApi = () => {
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
  const { exports } = JSON.parse(readFileSync(manifest, 'utf8')) as {
    exports: { './esm/api': { import: { default: string } } };
  };
  return pathToFileURL(join(dirname(manifest), exports['./esm/api'].import.default)).href;
};
const ENTRY = new URL('./worker.ts', import.meta.url).href;

interface Job {
  id: number;
  task: TaskName;
  input: unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

interface Thread {
  worker: Worker;
  ready: Promise<void>;
  job?: Job;
}

/**
 * A few worker threads for pure, CPU-heavy work (meta-analysis, survival curves), so that a
 * long computation never holds the event loop that answers every other request. Threads
 * start on first use; the queue is bounded, and a full queue answers "busy, try again".
 */
export class ComputePool {
  readonly size: number;
  readonly queueLimit: number;
  readonly #threads: Thread[] = [];
  readonly #queue: Job[] = [];
  #nextId = 1;
  #closed = false;

  constructor(options: { size?: number; queueLimit?: number } = {}) {
    // One core stays with the event loop (and the database, which PGlite runs in-process).
    this.size = options.size ?? Math.max(1, Math.min(2, availableParallelism() - 1));
    this.queueLimit = options.queueLimit ?? COMPUTE_QUEUE_LIMIT;
  }

  /** Runs `task` on a worker thread; refused with 'unavailable' when the queue is full. */
  run<K extends TaskName>(task: K, input: TaskInput<K>): Promise<TaskOutput<K>> {
    if (this.#closed) return Promise.reject(busy('StemTrack is shutting down; try again shortly.'));
    if (this.#queue.length >= this.queueLimit)
      return Promise.reject(
        busy('The server is busy with other large computations; try again in a minute.'),
      );
    return new Promise((resolve, reject) => {
      this.#queue.push({
        id: this.#nextId++,
        task,
        input,
        resolve: resolve as (value: unknown) => void,
        reject,
      });
      this.#dispatch();
    });
  }

  /** Stops every thread at once; running and queued tasks are refused. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const job of this.#queue.splice(0)) job.reject(busy('StemTrack is shutting down.'));
    await Promise.all(
      this.#threads.splice(0).map((t) => {
        t.job?.reject(busy('StemTrack is shutting down.'));
        return t.worker.terminate();
      }),
    );
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      let thread = this.#threads.find((t) => !t.job);
      if (!thread && this.#threads.length < this.size) thread = this.#spawn();
      if (!thread) return;
      const job = this.#queue.shift() as Job;
      thread.job = job;
      const t = thread;
      t.ready.then(
        () => t.worker.postMessage({ id: job.id, task: job.task, input: job.input }),
        (error) => this.#finish(t, { ok: false, error }),
      );
    }
  }

  #spawn(): Thread {
    const worker = new Worker(BOOT, { eval: true, workerData: { tsx: tsxApi(), entry: ENTRY } });
    // An idle pool must not keep the process alive.
    worker.unref();
    let markReady: () => void = () => {};
    let failStart: (error: unknown) => void = () => {};
    const thread: Thread = {
      worker,
      ready: new Promise<void>((resolve, reject) => {
        markReady = resolve;
        failStart = reject;
      }),
    };
    worker.on('message', (message: { ready?: boolean; id?: number } & Reply) => {
      if (message.ready) return markReady();
      if (thread.job && message.id === thread.job.id) this.#finish(thread, message);
    });
    worker.on('error', (error) => {
      failStart(error);
      this.#drop(thread, error);
    });
    worker.on('exit', () => this.#drop(thread, new Error('compute thread exited')));
    this.#threads.push(thread);
    return thread;
  }

  #finish(thread: Thread, reply: Reply): void {
    const job = thread.job;
    thread.job = undefined;
    if (job) {
      if (reply.ok) job.resolve(reply.output);
      else job.reject(revive(reply.error));
    }
    this.#dispatch();
  }

  /** A thread that died takes its task with it; the next task starts a new one. */
  #drop(thread: Thread, error: unknown): void {
    const i = this.#threads.indexOf(thread);
    if (i < 0) return;
    this.#threads.splice(i, 1);
    thread.job?.reject(error);
    thread.job = undefined;
    if (!this.#closed) this.#dispatch();
  }
}

type Reply = { ok: true; output: unknown } | { ok: false; error: unknown };

function busy(message: string): DomainError {
  return new DomainError('unavailable', message);
}

/** Errors cross threads as plain data: a domain error comes back as one, anything else as an Error. */
function revive(error: unknown): unknown {
  const e = error as {
    domain?: boolean;
    code?: ErrorCode;
    message?: string;
    fields?: [];
    name?: string;
    stack?: string;
  };
  if (e?.domain && e.code) return new DomainError(e.code, e.message ?? '', e.fields ?? []);
  if (error instanceof Error) return error;
  const revived = new Error(e?.message ?? 'compute task failed');
  if (e?.name) revived.name = e.name;
  if (e?.stack) revived.stack = e.stack;
  return revived;
}
