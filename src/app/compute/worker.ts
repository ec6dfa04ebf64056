import { parentPort } from 'node:worker_threads';
import { DomainError } from '../../core/errors.ts';
import { TASKS, type TaskName } from './tasks.ts';

/** One compute thread: runs a named task per message and posts its result or its error. */
const port = parentPort;
if (!port) throw new Error('worker.ts runs only as a worker thread');
port.on('message', (message: { id: number; task: TaskName; input: unknown }) => {
  try {
    const run = TASKS[message.task] as (input: unknown) => unknown;
    port.postMessage({ id: message.id, ok: true, output: run(message.input) });
  } catch (error) {
    port.postMessage({
      id: message.id,
      ok: false,
      error:
        error instanceof DomainError
          ? { domain: true, code: error.code, message: error.message, fields: error.fields }
          : {
              domain: false,
              name: (error as Error)?.name,
              message: String((error as Error)?.message),
              stack: (error as Error)?.stack,
            },
    });
  }
});
port.postMessage({ ready: true });
