import { describe, expect, it } from 'vitest';
import { instrumentById } from '../instruments/library.ts';
import { TIMEPOINT_IDS } from '../schedule/timepoints.ts';
import { clopperPearson } from '../stats/survival.ts';
import { UNLISTED_ANSWER, WORK_STATUS, workStatusByTimepoint } from './work-status.ts';

const definition = instrumentById(WORK_STATUS.instrumentId);

describe('work status per time point', () => {
  it('lists every answer of the form in its words, with counts, shares and exact CIs', () => {
    const summary = workStatusByTimepoint(
      [
        { timepoint: 'm24', answer: 5, joints: 2 },
        { timepoint: 'm12', answer: 1, joints: 6 },
        { timepoint: 'm12', answer: 5, joints: 3 },
        { timepoint: 'm12', answer: 3, joints: 1 },
      ],
      definition,
      TIMEPOINT_IDS,
    );
    // Schedule order, not the order the rows came in; time points without answers left out.
    expect(summary.map((s) => [s.timepoint, s.n])).toEqual([
      ['m12', 10],
      ['m24', 2],
    ]);
    const m12 = summary[0];
    expect(m12?.answers.map((a) => a.label)).toEqual([
      'In paid work, full time',
      'In paid work, part time',
      'On sick leave or unable to work because of this joint',
      'Not in paid work for another reason',
      'Retired',
    ]);
    expect(m12?.answers.map((a) => a.share.count)).toEqual([6, 0, 1, 0, 3]);
    const fullTime = m12?.answers[0]?.share;
    expect(fullTime).toMatchObject({ count: 6, n: 10, share: 0.6, ...clopperPearson(6, 10) });
    const total = m12?.answers.reduce((s, a) => s + a.share.share, 0) ?? 0;
    expect(total).toBeCloseTo(1, 12);
    expect(summary[1]?.answers.map((a) => a.share.count)).toEqual([0, 0, 0, 0, 2]);
  });

  it('never shows a code: an answer no longer on the form is counted under plain words', () => {
    const [m6] = workStatusByTimepoint(
      [
        { timepoint: 'm6', answer: 2, joints: 3 },
        { timepoint: 'm6', answer: 9, joints: 1 },
      ],
      definition,
      TIMEPOINT_IDS,
    );
    expect(m6?.n).toBe(4);
    const last = m6?.answers.at(-1);
    expect(last).toMatchObject({ answer: null, label: UNLISTED_ANSWER });
    expect(last?.share.count).toBe(1);
    expect(m6?.answers.every((a) => !/^\d+$|WORK/.test(a.label))).toBe(true);
  });

  it('gives nothing for a cohort without answers', () => {
    expect(workStatusByTimepoint([], definition, TIMEPOINT_IDS)).toEqual([]);
    expect(
      workStatusByTimepoint(
        [{ timepoint: 'm12', answer: 1, joints: 0 }],
        definition,
        TIMEPOINT_IDS,
      ),
    ).toEqual([]);
  });
});
