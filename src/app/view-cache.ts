import { registryVersion } from '../store/analytics.repo.ts';
import type { Queryable } from '../store/db.ts';

/** Views kept; the oldest unused goes first. A view is at most a few hundred kilobytes. */
const MAX_VIEWS = 100;

/**
 * Dashboard views computed once per registry version: a view asked for again before anything
 * behind it changed is served from memory. The version is read before the view is computed,
 * so a view can only be newer than its key, never older.
 */
export class ViewCache {
  readonly #views = new Map<string, unknown>();
  hits = 0;
  misses = 0;

  async get<T>(
    q: Queryable,
    view: { name: string; siteId?: string; params?: unknown },
    compute: () => Promise<T>,
  ): Promise<T> {
    const version = await registryVersion(q, view.siteId);
    const key = JSON.stringify([view.name, view.siteId ?? '*', view.params ?? null, version]);
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
