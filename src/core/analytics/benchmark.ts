import { createHash } from 'node:crypto';
import { type OutcomeAtTimepoint, outcomesFromSummaries, type SiteSummaryRow } from './outcomes.ts';

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

/**
 * The caller's site against the rest of the network, other sites anonymised; from per-site
 * summaries of levels and paired changes.
 */
export function benchmark(
  summaries: { levels: readonly SiteSummaryRow[]; changes: readonly SiteSummaryRow[] },
  ownSiteId: string,
  timepointOrder: readonly string[],
): Benchmark {
  const of = (test: (siteId: string) => boolean) =>
    outcomesFromSummaries(
      summaries.levels.filter((r) => test(r.siteId)),
      summaries.changes.filter((r) => test(r.siteId)),
      timepointOrder,
    );
  const peerIds = [
    ...new Set(summaries.levels.map((r) => r.siteId).filter((id) => id !== ownSiteId)),
  ].sort((a, b) => {
    const key = (id: string) => createHash('sha256').update(`${ownSiteId}:${id}`).digest('hex');
    return key(a).localeCompare(key(b));
  });
  return {
    site: of((id) => id === ownSiteId),
    restOfNetwork: withheldBelowMinimum(of((id) => id !== ownSiteId)),
    peers: peerIds.map((peer, i) => ({
      label: `Site ${String.fromCharCode(65 + (i % 26))}${i >= 26 ? Math.floor(i / 26) : ''}`,
      outcomes: withheldBelowMinimum(of((id) => id === peer)),
    })),
  };
}
