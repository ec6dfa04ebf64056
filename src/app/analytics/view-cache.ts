import { DomainError } from '../../core/errors.ts';
import { registryVersion } from '../../store/analytics.repo.ts';
import type { Queryable } from '../../store/db.ts';
import type { Gate } from '../compute/gate.ts';

/** Views kept; the oldest unused goes first. A view is at most a few hundred kilobytes. */
const MAX_VIEWS = 100;
/**
 * Views renewed unasked after a change: the most recently asked per person and per site.
 * A researcher trying 200 cohorts gets the last 10 renewed, not 200: renewal costs the
 * whole server, and nobody looks at 200 views again within the half hour.
 */
export const RENEWED_PER_USER = 10;
export const RENEWED_PER_SITE = 30;
export const RENEWED_IN_ALL = 100;

interface ViewRequest {
  name: string;
  siteId?: string;
  params?: unknown;
  /** Who asked: bounds how many of one person's views are renewed (not part of the key). */
  userId?: string;
}

interface Asked {
  q: Queryable;
  view: ViewRequest;
  compute: () => Promise<unknown>;
  at: number;
}

/** Lets other work (a health check, a click) run between two renewed views. */
const yieldToRequests = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A view's identity: its name, site ('*' for network-wide views) and parameters. */
function viewId(view: ViewRequest): string {
  return JSON.stringify([view.name, view.siteId ?? '*', view.params ?? null]);
}

/**
 * Dashboard views computed once per registry version: a view asked for again before anything
 * behind it changed is served from memory. The version is read before the view is computed,
 * so a view can only be newer than its key, never older.
 */
export class ViewCache {
  readonly #views = new Map<string, unknown>();
  /** Views asked for lately, with how to compute them, so `refresh` can renew them unasked. */
  readonly #asked = new Map<string, Asked>();
  #refreshing = false;
  #stopped = false;
  readonly #clock: () => number;
  hits = 0;
  misses = 0;

  readonly #gate: Gate | undefined;

  /** `clock` gives milliseconds, for tests to move time; `gate` admits each renewal. */
  constructor(clock: () => number = Date.now, gate?: Gate) {
    this.#clock = clock;
    this.#gate = gate;
  }

  async get<T>(q: Queryable, view: ViewRequest, compute: () => Promise<T>): Promise<T> {
    const id = viewId(view);
    // Map order is insertion order: re-inserting puts it last, as the most recently asked.
    this.#asked.delete(id);
    this.#asked.set(id, { q, view, compute, at: this.#clock() });
    this.#forgetBeyondLimits();
    return this.#kept(q, view, compute);
  }

  /** How many views would be renewed after a change (for tests and the health of the server). */
  get renewable(): number {
    return this.#asked.size;
  }

  /** Stops renewing: a round in progress ends after its current view (server shutdown). */
  stop(): void {
    this.#stopped = true;
  }

  /** Drops the least recently asked views beyond each person's, each site's and the total limit. */
  #forgetBeyondLimits(): void {
    const perUser = new Map<string, number>();
    const perSite = new Map<string, number>();
    const newestFirst = [...this.#asked].reverse();
    let kept = 0;
    for (const [id, asked] of newestFirst) {
      const user = asked.view.userId ?? '';
      const site = asked.view.siteId ?? '*';
      const u = (perUser.get(user) ?? 0) + 1;
      const s = (perSite.get(site) ?? 0) + 1;
      if ((user && u > RENEWED_PER_USER) || s > RENEWED_PER_SITE || kept >= RENEWED_IN_ALL) {
        this.#asked.delete(id);
        continue;
      }
      perUser.set(user, u);
      perSite.set(site, s);
      kept++;
    }
  }

  /**
   * Renews, one at a time, every view asked for within `withinMs` whose data has changed since
   * it was computed, so the next person to open it finds it ready. Returns how many it renewed.
   * Yields to requests between views and ends early once `stop` is called.
   */
  async refresh(withinMs = 30 * 60_000): Promise<number> {
    // A slow round (a large registry on PGlite) must not start a second one beside it.
    if (this.#refreshing || this.#stopped) return 0;
    this.#refreshing = true;
    try {
      let renewed = 0;
      for (const [id, asked] of [...this.#asked]) {
        await yieldToRequests();
        if (this.#stopped) break;
        if (this.#clock() - asked.at > withinMs) {
          this.#asked.delete(id);
          continue;
        }
        const before = this.misses;
        const renew = () => this.#kept(asked.q, asked.view, asked.compute);
        // Renewals queue with readers' heavy requests; a busy server skips this round.
        try {
          await (this.#gate ? this.#gate.run(renew) : renew());
        } catch (error) {
          if (error instanceof DomainError && error.code === 'unavailable') break;
          throw error;
        }
        // #kept counted a hit for a view already fresh; a refresh is not a reader's hit.
        if (this.misses > before) renewed++;
        else this.hits--;
      }
      return renewed;
    } finally {
      this.#refreshing = false;
    }
  }

  async #kept<T>(q: Queryable, view: ViewRequest, compute: () => Promise<T>): Promise<T> {
    const version = await registryVersion(q, view.siteId);
    const key = `${viewId(view)}@${version}`;
    if (this.#views.has(key)) {
      const kept = this.#views.get(key) as T;
      // Map order is insertion order: move it to the back, as the most recently used.
      this.#views.delete(key);
      this.#views.set(key, kept);
      this.hits++;
      return kept;
    }
    this.misses++;
    const fresh = await compute();
    this.#views.set(key, fresh);
    for (const oldest of this.#views.keys()) {
      if (this.#views.size <= MAX_VIEWS) break;
      this.#views.delete(oldest);
    }
    return fresh;
  }
}
