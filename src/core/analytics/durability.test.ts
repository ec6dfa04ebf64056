import { describe, expect, it } from 'vitest';
import { durabilityCurve, timeToEvent } from './durability.ts';

const histories = [
  // Replaced after 365 days (11.99 months of 365.25/12 days).
  {
    episodeId: 'a',
    treatmentDate: '2025-01-01',
    lastContact: '2025-06-01',
    events: [{ kind: 'arthroplasty', date: '2026-01-01' }],
  },
  // Heard from until day 730: censored at 23.98 months.
  { episodeId: 'b', treatmentDate: '2024-01-01', lastContact: '2025-12-31', events: [] },
  // Re-injected, never replaced: censored at last contact, 6 months.
  {
    episodeId: 'c',
    treatmentDate: '2025-01-01',
    lastContact: '2025-07-02',
    events: [{ kind: 'reinjection', date: '2025-03-01' }],
  },
  // Never heard from again: no time at risk.
  { episodeId: 'd', treatmentDate: '2025-01-01', lastContact: null, events: [] },
] as const;

describe('durability', () => {
  it('turns histories into months to the first event, or censored at last contact', () => {
    const obs = timeToEvent(
      histories.map((h) => ({ ...h, events: [...h.events] })),
      'arthroplasty',
    );
    const month = 365.25 / 12;
    expect(obs).toEqual([
      { time: 365 / month, event: true },
      { time: 730 / month, event: false },
      { time: 182 / month, event: false },
    ]);
  });

  it('draws the Kaplan–Meier curve with a risk table', () => {
    const curve = durabilityCurve(
      histories.map((h) => ({ ...h, events: [...h.events] })),
      'arthroplasty',
    );
    expect(curve).toMatchObject({ joints: 3, events: 1 });
    // At 11.99 months 2 joints are at risk and one is replaced: 1 − 1/2.
    expect(curve.steps.find((s) => s.nEvent === 1)?.surv).toBe(0.5);
    expect(curve.atRisk.slice(0, 4)).toEqual([
      { month: 0, n: 3 },
      { month: 6, n: 2 },
      { month: 12, n: 1 },
      { month: 24, n: 0 },
    ]);
  });
});
