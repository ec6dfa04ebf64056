import { describe, expect, it } from 'vitest';
import { formatSize } from './export.ts';

describe('formatSize', () => {
  it('gives bytes in powers of 1000 with one decimal', () => {
    expect(formatSize(0)).toBe('0 B');
    expect(formatSize(999)).toBe('999 B');
    expect(formatSize(1000)).toBe('1.0 kB');
    expect(formatSize(14_250)).toBe('14.3 kB');
    expect(formatSize(3_100_000)).toBe('3.1 MB');
    expect(formatSize(2_000_000_000_000)).toBe('2000.0 GB');
  });
});
