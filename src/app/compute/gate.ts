import { DomainError } from '../../core/errors.ts';

/**
 * At most `width` pieces of database-heavy work (dashboard views, exports) at once, and at
 * most `queueLimit` waiting; beyond that a clear "busy" error (503). On the embedded
 * database every query runs on the server's one thread, so a light request (a health check,
 * a click) then waits behind one heavy query, not behind every report anyone asked for.
 */
export class Gate {
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(
    readonly width: number,
    readonly queueLimit: number,
  ) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#running < this.width) this.#running++;
    else {
      if (this.#waiting.length >= this.queueLimit)
        throw new DomainError(
          'unavailable',
          'The server is busy with other reports and exports; try again in a minute.',
        );
      // The finishing task hands its place over directly, so #running stays counted.
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    try {
      return await work();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }
}
