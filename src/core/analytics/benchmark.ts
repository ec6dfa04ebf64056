import { createHash } from 'node:crypto';
import { type OutcomeAtTimepoint, type ScoreRow, summariseOutcomes } from './outcomes.ts';

/**
 * Below this many joints scored at a time point, another site's figures are withheld, so a
 * benchmark never shows a handful of patients at a named or guessable clinic. A privacy
 * choice of StemTrack's, not a clinical constant.
 */
export const MIN_JOINTS_SHOWN = 5;

export interface PeerSite {
  /** "Site A", "Site B"…: the order comes from a hash, not from names or sizes. */
  label: string;
  outcomes: OutcomeAtTimepoint[];
}

export interface Benchmark {
  site: OutcomeAtTimepoint[];
  /** Every other site pooled. */
  restOfNetwork: OutcomeAtTimepoint[];
  peers: PeerSite[];
}

function withheldBelowMinimum(outcomes: OutcomeAtTimepoint[]): OutcomeAtTimepoint[] {
  return outcomes.filter((o) => o.level.n >= MIN_JOINTS_SHOWN);
}

/** The caller's site against the rest of the network, other sites anonymised. */
export function benchmark(
  rows: readonly ScoreRow[],
  ownSiteId: string,
  timepointOrder: readonly string[],
): Benchmark {
  const own = rows.filter((r) => r.siteId === ownSiteId);
  const others = rows.filter((r) => r.siteId !== ownSiteId);
  const peerIds = [...new Set(others.map((r) => r.siteId ?? ''))].sort((a, b) => {
    const key = (id: string) => createHash('sha256').update(`${ownSiteId}:${id}`).digest('hex');
    return key(a).localeCompare(key(b));
  });
  return {
    site: summariseOutcomes(own, timepointOrder),
    restOfNetwork: withheldBelowMinimum(summariseOutcomes(others, timepointOrder)),
    peers: peerIds.map((id, i) => ({
      label: `Site ${String.fromCharCode(65 + (i % 26))}${i >= 26 ? Math.floor(i / 26) : ''}`,
      outcomes: withheldBelowMinimum(
        summariseOutcomes(
          others.filter((r) => r.siteId === id),
          timepointOrder,
        ),
      ),
    })),
  };
}
