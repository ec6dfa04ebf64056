import { describe, expect, it } from 'vitest';
import type { FlowStep } from '../schedule/worklist.ts';
import { outreachSummary } from './summary.ts';

const step = (timepoint: string, reached: number, completed: number, lost: number): FlowStep => ({
  timepoint,
  label: timepoint,
  reached,
  invited: reached,
  completed,
  lost,
  completeness: completed + lost > 0 ? completed / (completed + lost) : null,
});

describe('outreach summary', () => {
  it('splits completeness by mode so the modes add up to it, and rates each message', () => {
    const summary = outreachSummary([step('m6', 10, 6, 2), step('m12', 0, 0, 0)], {
      byChannel: [
        { timepoint: 'm6', channels: 'email', links: 4, completed: 2 },
        { timepoint: 'm6', channels: 'email+sms', links: 6, completed: 4 },
      ],
      byMode: [
        { timepoint: 'm6', mode: 'web-email', completed: 3 },
        { timepoint: 'm6', mode: 'web-sms', completed: 2 },
        { timepoint: 'm6', mode: 'phone', completed: 1 },
      ],
      afterMessage: [
        { message: 'Invitation', channel: 'message', step: 0, reached: 10, answeredBefore: 4 },
      ],
    });
    // A time point nobody has reached yet is left out.
    expect(summary.timepoints.map((t) => t.timepoint)).toEqual(['m6']);
    const m6 = summary.timepoints[0];
    expect(m6?.decided).toBe(8);
    expect(m6?.byMode.map((m) => m.mode)).toEqual([
      'web-email',
      'web-sms',
      'web-qr',
      'phone',
      'paper',
      'tablet',
    ]);
    const shares = m6?.byMode.reduce((sum, m) => sum + (m.share ?? 0), 0) ?? 0;
    expect(shares).toBeCloseTo(m6?.completeness ?? 0, 12);
    expect(m6?.byChannel[1]).toEqual({
      channels: 'email+sms',
      links: 6,
      completed: 4,
      share: 4 / 6,
    });
    expect(summary.afterEachMessage).toEqual([
      { message: 'Invitation', reached: 10, answeredBefore: 4, rate: 0.4 },
    ]);
  });
});
