import { describe, expect, it } from 'vitest';
import { applyWindows, overlappingWindows } from './custom.ts';
import { DEFAULT_SCHEDULE } from './timepoints.ts';

describe('registry schedules', () => {
  it('keeps the default windows apart', () => {
    expect(overlappingWindows(DEFAULT_SCHEDULE)).toEqual([]);
  });

  it('applies a registry window and refuses one that overlaps its neighbour', () => {
    const wider = applyWindows([{ timepoint: 'm6', windowBefore: 45, windowAfter: 45 }]);
    expect(wider.find((t) => t.id === 'm6')).toMatchObject({ windowBefore: 45, windowAfter: 45 });
    expect(wider.find((t) => t.id === 'm12')).toMatchObject({ windowBefore: 30, windowAfter: 30 });
    expect(overlappingWindows(wider)).toEqual([]);
    const clash = applyWindows([{ timepoint: 'w6', windowBefore: 14, windowAfter: 40 }]);
    expect(overlappingWindows(clash)).toEqual([
      { field: 'windows.m3', message: 'The 3 months window would overlap the 6 weeks window' },
    ]);
  });
});
