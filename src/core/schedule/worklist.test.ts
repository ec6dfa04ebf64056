import { describe, expect, it } from 'vitest';
import { addDays, type IsoDate } from '../registry/dates.ts';
import { DEFAULT_SCHEDULE, followUpWindow } from './timepoints.ts';
import {
  followUpFlow,
  followUpStatus,
  statusWindows,
  treatmentDayBounds,
  worklist,
} from './worklist.ts';

const window = { opens: '2026-05-18', target: '2026-06-01', closes: '2026-06-15' } as const;

describe('follow-up status', () => {
  it('moves from upcoming to due, overdue and missed at the window edges', () => {
    expect(followUpStatus(window, false, '2026-05-17')).toBe('upcoming');
    expect(followUpStatus(window, false, '2026-05-18')).toBe('due');
    expect(followUpStatus(window, false, '2026-06-01')).toBe('due');
    expect(followUpStatus(window, false, '2026-06-02')).toBe('overdue');
    expect(followUpStatus(window, false, '2026-06-15')).toBe('overdue');
    expect(followUpStatus(window, false, '2026-06-16')).toBe('missed');
    expect(followUpStatus(window, true, '2027-01-01')).toBe('completed');
  });

  it('walks a year day by day for one joint: each time point opens, is answered or lost', () => {
    const completed = new Set<string>();
    const episode = {
      episodeId: 'e1',
      patientId: 'p1',
      registryId: 'R-1',
      treatmentDate: '2026-01-15' as IsoDate,
      invited: completed,
      completed,
    };
    const seen = new Map<string, Set<string>>();
    for (let day = -40; day <= 400; day++) {
      const today = addDays('2026-01-15', day);
      // The patient answers baseline and 6 months on the target day, and nothing else.
      if (today === '2026-01-15') completed.add('baseline');
      if (today === '2026-07-15') completed.add('m6');
      for (const row of worklist([episode], today)) {
        if (!seen.has(row.timepoint)) seen.set(row.timepoint, new Set());
        seen.get(row.timepoint)?.add(row.status);
      }
    }
    expect([...(seen.get('baseline') ?? [])]).toEqual(['upcoming', 'due', 'completed']);
    expect([...(seen.get('w6') ?? [])]).toEqual(['upcoming', 'due', 'overdue', 'missed']);
    expect([...(seen.get('m6') ?? [])]).toEqual(['upcoming', 'due', 'completed']);
    // 12 months: window 2026-12-16 to 2027-02-14; day 400 is 2027-02-19.
    expect([...(seen.get('m12') ?? [])]).toEqual(['upcoming', 'due', 'overdue', 'missed']);
    expect([...(seen.get('m24') ?? [])]).toEqual(['upcoming']);
    const flow = followUpFlow([episode], addDays('2026-01-15', 400));
    expect(flow.steps.find((s) => s.timepoint === 'm3')).toMatchObject({
      reached: 1,
      completed: 0,
      lost: 1,
      completeness: 0,
    });
    expect(flow.steps.find((s) => s.timepoint === 'm6')).toMatchObject({
      completed: 1,
      completeness: 1,
    });
    expect(flow.steps.find((s) => s.timepoint === 'm24')).toMatchObject({
      reached: 0,
      completeness: null,
    });
  });

  it('counts the flow across joints: enrolled, reached, invited, completed, lost', () => {
    const mk = (id: string, completed: string[], invited: string[]) => ({
      episodeId: id,
      patientId: id,
      registryId: id,
      treatmentDate: '2025-01-01' as IsoDate,
      invited: new Set(invited),
      completed: new Set(completed),
    });
    const flow = followUpFlow(
      [
        mk('a', ['baseline', 'm6'], ['baseline', 'm6']),
        mk('b', ['baseline'], ['baseline', 'm6']),
        mk('c', [], []),
      ],
      '2025-12-01',
    );
    expect(flow.enrolled).toBe(3);
    expect(flow.steps.find((s) => s.timepoint === 'm6')).toEqual({
      timepoint: 'm6',
      label: '6 months',
      reached: 3,
      invited: 2,
      completed: 1,
      lost: 2,
      completeness: 1 / 3,
    });
  });

  it('never lists a patient whose follow-up ended as due: open and later time points are ended', () => {
    const episode = {
      episodeId: 'e1',
      patientId: 'p1',
      registryId: 'R-1',
      treatmentDate: '2026-01-15' as IsoDate,
      invited: new Set<string>(),
      completed: new Set(['baseline']),
      ended: { reason: 'deceased' as const, date: '2026-02-20' as IsoDate },
    };
    // 6 weeks after treatment: the 6-week window is open.
    const rows = worklist([episode], '2026-02-26');
    expect(rows.filter((r) => r.status === 'due' || r.status === 'overdue')).toEqual([]);
    expect(rows.find((r) => r.timepoint === 'baseline')?.status).toBe('completed');
    expect(rows.find((r) => r.timepoint === 'w6')).toMatchObject({
      status: 'ended',
      endedBecause: 'deceased',
    });
    expect(rows.find((r) => r.timepoint === 'm12')?.status).toBe('ended');
    // A window that closed unanswered before follow-up ended stays missed.
    const late = {
      ...episode,
      completed: new Set<string>(),
      ended: { ...episode.ended, date: '2026-06-01' as IsoDate },
    };
    expect(worklist([late], '2026-06-02').find((r) => r.timepoint === 'baseline')?.status).toBe(
      'missed',
    );
  });

  it('bounds the treatment days whose windows have opened, passed their target and closed, at month ends too, and places each day in one status window', () => {
    // Every day of two years around leap day and month ends, against every treatment day that
    // can matter: a window has opened (closed) exactly when its treatment day is up to the bound.
    const wrong: string[] = [];
    for (let step = 0; step < 730; step += 11) {
      const today = addDays('2027-12-20', step);
      const bounds = treatmentDayBounds(today);
      const windows = statusWindows(bounds, ['upcoming', 'due', 'overdue', 'completed', 'missed']);
      for (const [i, tp] of DEFAULT_SCHEDULE.entries()) {
        const b = bounds[i];
        expect(b?.timepoint).toBe(tp.id);
        // Each day near both bounds, and every 17th day of five years.
        const near = [
          b?.openedBy ?? today,
          b?.targetPassedBy ?? today,
          b?.closedBy ?? today,
        ].flatMap((bound) => Array.from({ length: 81 }, (_, k) => addDays(bound, k - 40)));
        const far = Array.from({ length: 120 }, (_, k) => addDays(today, 40 - 17 * k));
        for (const treated of [...near, ...far]) {
          const w = followUpWindow(treated, tp);
          if (
            w.opens <= today !== treated <= (b?.openedBy ?? '') ||
            w.target < today !== treated <= (b?.targetPassedBy ?? '') ||
            w.closes < today !== treated <= (b?.closedBy ?? '')
          )
            wrong.push(`${tp.id} treated ${treated}, today ${today}`);
          // Exactly one status window holds each treatment day and answer: its status.
          for (const answered of [false, true]) {
            const holding = windows.filter(
              (s) =>
                s.timepoint === tp.id &&
                s.answered === answered &&
                (s.after === null || treated > s.after) &&
                (s.upTo === null || treated <= s.upTo),
            );
            const status = followUpStatus(w, answered, today);
            if (holding.length !== 1 || holding[0]?.status !== status)
              wrong.push(
                `${tp.id} treated ${treated}, today ${today}, answered ${answered}: ${status} in ${holding.map((h) => h.status)}`,
              );
          }
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});
