import { registryVersion } from '../../store/analytics.repo.ts';
import type { Queryable } from '../../store/db.ts';

/** Views kept; the oldest unused goes first. A view is at most a few hundred kilobytes. */
const MAX_VIEWS = 100;

interface ViewRequest {
  name: string;
  siteId?: string;
  params?: unknown;
}

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
  readonly #asked = new Map<
    string,
    { q: Queryable; view: ViewRequest; compute: () => Promise<unknown>; at: number }
  >();
  #refreshing = false;
  readonly #clock: () => number;
  hits = 0;
  misses = 0;

  /** `clock` gives milliseconds, for tests to move time. */
  constructor(clock: () => number = Date.now) {
    this.#clock = clock;
  }

  async get<T>(q: Queryable, view: ViewRequest, compute: () => Promise<T>): Promise<T> {
    this.#asked.set(viewId(view), {
      q,
      view,
      compute,
      at: this.#clock(),
    });
    return this.#kept(q, view, compute);
  }

  /**
   * Renews, one at a time, every view asked for within `withinMs` whose data has changed since
   * it was computed, so the next person to open it finds it ready. Returns how many it renewed.
   */
  async refresh(withinMs = 30 * 60_000): Promise<number> {
    // A slow round (a large registry on PGlite) must not start a second one beside it.
    if (this.#refreshing) return 0;
    this.#refreshing = true;
    try {
      let renewed = 0;
      for (const [id, asked] of [...this.#asked]) {
        if (this.#clock() - asked.at > withinMs) {
          this.#asked.delete(id);
          continue;
        }
        const before = this.misses;
        await this.#kept(asked.q, asked.view, asked.compute);
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
