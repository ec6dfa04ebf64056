import { describe, expect, it } from 'vitest';
import { generateDemoRegistry } from '../demo/generate.ts';
import { seededRng } from '../demo/random.ts';
import { instrumentById } from '../instruments/library.ts';
import { scoreResponse } from '../instruments/scoring.ts';
import { TIMEPOINT_IDS } from '../schedule/timepoints.ts';
import { visitPatterns } from '../stats/mixed.ts';
import {
  modelTrajectories,
  type ScoreRow,
  summariseOutcomes,
  trajectoriesFromPatterns,
} from './outcomes.ts';

describe('summariseOutcomes', () => {
  it('gives level and paired change from baseline with t-intervals', () => {
    const rows: ScoreRow[] = [
      { episodeId: 'a', timepoint: 'baseline', instrumentId: 'nrs-pain', scale: 'pain', value: 7 },
      { episodeId: 'b', timepoint: 'baseline', instrumentId: 'nrs-pain', scale: 'pain', value: 5 },
      { episodeId: 'c', timepoint: 'baseline', instrumentId: 'nrs-pain', scale: 'pain', value: 6 },
      { episodeId: 'a', timepoint: 'm6', instrumentId: 'nrs-pain', scale: 'pain', value: 4 },
      { episodeId: 'b', timepoint: 'm6', instrumentId: 'nrs-pain', scale: 'pain', value: 4 },
      { episodeId: 'a', timepoint: 'm6', instrumentId: 'nrs-pain', scale: 'pain', value: 9 }, // a repeat: ignored
      { episodeId: 'd', timepoint: 'm6', instrumentId: 'nrs-pain', scale: 'pain', value: 2 }, // no baseline
    ];
    const [baseline, six] = summariseOutcomes(rows, TIMEPOINT_IDS);
    expect(baseline).toMatchObject({
      timepoint: 'baseline',
      level: { n: 3, mean: 6 },
      change: null,
    });
    expect(six?.level).toMatchObject({ n: 3, mean: 10 / 3 });
    // Changes −3 and −1: mean −2, SD √2, t(0.975, 1) = 12.7062047361747.
    expect(six?.change?.n).toBe(2);
    expect(six?.change?.mean).toBe(-2);
    expect(six?.change?.ciLower).toBeCloseTo(-2 - 12.7062047361747, 9);
  });

  it('summarises the demo registry for every KOOS subscale at every reached time point', () => {
    const demo = generateDemoRegistry({ patients: 200, today: '2026-06-01', rng: seededRng(3) });
    const koos = instrumentById('koos');
    const rows = demo.patients.flatMap((p, i) =>
      p.responses
        .filter((r) => r.instrumentId === 'koos')
        .flatMap((r) =>
          Object.entries(scoreResponse(koos, r.answers)).flatMap(([scale, value]) =>
            value === null
              ? []
              : [
                  {
                    episodeId: `e${i}`,
                    timepoint: r.timepoint,
                    instrumentId: 'koos',
                    scale,
                    value,
                  },
                ],
          ),
        ),
    );
    const summary = summariseOutcomes(rows, TIMEPOINT_IDS);
    const pain = summary.filter((s) => s.scale === 'pain');
    expect(pain[0]?.timepoint).toBe('baseline');
    for (const s of summary) {
      expect(s.level.mean).toBeGreaterThanOrEqual(0);
      expect(s.level.mean).toBeLessThanOrEqual(100);
      if (s.change && s.change.n >= 2)
        expect(s.change.ciLower).toBeLessThan(s.change.ciUpper as number);
    }
  });
});

describe('trajectories of a scale never asked at baseline', () => {
  it('model no change from baseline for it, from rows or from visit patterns', () => {
    const rows: ScoreRow[] = ['a', 'b', 'c', 'd'].flatMap((episodeId, i) => [
      {
        episodeId,
        timepoint: 'm3',
        instrumentId: 'satisfaction-work',
        scale: 'satisfaction',
        value: 3 + (i % 2),
      },
      {
        episodeId,
        timepoint: 'm6',
        instrumentId: 'satisfaction-work',
        scale: 'satisfaction',
        value: 4,
      },
    ]);
    expect(modelTrajectories(rows, TIMEPOINT_IDS)[0]?.model).toBeNull();
    const patterns = visitPatterns(
      rows.map((r) => ({ group: r.episodeId, timepoint: r.timepoint, value: r.value })),
    ).map((p) => ({ ...p, siteId: 's', instrumentId: 'satisfaction-work', scale: 'satisfaction' }));
    expect(trajectoriesFromPatterns(patterns, TIMEPOINT_IDS)[0]?.model).toBeNull();
  });
});
