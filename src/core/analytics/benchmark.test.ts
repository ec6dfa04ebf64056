import { describe, expect, it } from 'vitest';
import { benchmark, MIN_JOINTS_SHOWN } from './benchmark.ts';
import { type ScoreRow, type SiteSummaryRow, summariseOutcomes } from './outcomes.ts';

/** Per-site summaries as the database would give them, from raw rows. */
function summariesOf(rows: readonly ScoreRow[]) {
  const levels: SiteSummaryRow[] = [];
  const changes: SiteSummaryRow[] = [];
  for (const siteId of new Set(rows.map((r) => r.siteId ?? ''))) {
    for (const o of summariseOutcomes(
      rows.filter((r) => r.siteId === siteId),
      ['baseline', 'm6'],
    )) {
      const key = { siteId, instrumentId: o.instrumentId, scale: o.scale, timepoint: o.timepoint };
      levels.push({
        ...key,
        n: o.level.n,
        mean: o.level.mean,
        sd: o.level.n > 1 ? o.level.sd : null,
      });
      if (o.change)
        changes.push({
          ...key,
          n: o.change.n,
          mean: o.change.mean,
          sd: o.change.n > 1 ? o.change.sd : null,
        });
    }
  }
  return { levels, changes };
}

const row = (siteId: string, episodeId: string, timepoint: string, value: number): ScoreRow => ({
  siteId,
  episodeId,
  timepoint,
  instrumentId: 'nrs-pain',
  scale: 'pain',
  value,
});

function site(siteId: string, joints: number, improvement: number): ScoreRow[] {
  return Array.from({ length: joints }, (_, i) => [
    row(siteId, `${siteId}-${i}`, 'baseline', 6 + (i % 3)),
    row(siteId, `${siteId}-${i}`, 'm6', 6 + (i % 3) - improvement),
  ]).flat();
}

describe('benchmark', () => {
  const rows = [
    ...site('own', 8, 2),
    ...site('north', 10, 1),
    ...site('east', 6, 3),
    ...site('tiny', 3, 5),
  ];
  const result = benchmark(summariesOf(rows), 'own', ['baseline', 'm6']);

  it('pools every other site into the rest of the network', () => {
    expect(result.site.find((o) => o.timepoint === 'm6')?.change?.mean).toBe(-2);
    const rest = result.restOfNetwork.find((o) => o.timepoint === 'm6');
    expect(rest?.level.n).toBe(19);
    expect(rest?.change?.mean).toBeCloseTo(-(10 * 1 + 6 * 3 + 3 * 5) / 19, 12);
    // Pooled from per-site summaries, the SD equals the SD of all 19 changes.
    const all = [...Array(10).fill(-1), ...Array(6).fill(-3), ...Array(3).fill(-5)] as number[];
    const mean = all.reduce((a, b) => a + b, 0) / 19;
    const sd = Math.sqrt(all.reduce((a, b) => a + (b - mean) ** 2, 0) / 18);
    expect(rest?.change?.sd).toBeCloseTo(sd, 12);
  });

  it('labels peers without their ids and withholds figures below the minimum', () => {
    expect(result.peers.map((p) => p.label)).toEqual(['Site A', 'Site B', 'Site C']);
    expect(JSON.stringify(result.peers)).not.toMatch(/north|east|tiny/);
    const sizes = result.peers.map((p) => p.outcomes[0]?.level.n ?? 0).sort((a, b) => a - b);
    expect(sizes).toEqual([0, 6, 10]);
    expect(MIN_JOINTS_SHOWN).toBeGreaterThan(3);
  });
});
