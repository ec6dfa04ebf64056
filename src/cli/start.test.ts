import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { processesFor } from './start.ts';

describe('how many processes stemtrack start runs', () => {
  it('runs one on the embedded database, whatever was asked, and says why', () => {
    for (const asked of [undefined, 1, 4])
      expect(processesFor({ DATABASE_URL: undefined }, asked)).toEqual({
        workers: 1,
        note: expect.stringMatching(/^one process: the embedded PGlite database/),
      });
  });

  it('runs one per core on PostgreSQL unless told, and says how many', () => {
    const url = 'postgres://localhost/stemtrack';
    const cores = availableParallelism();
    expect(processesFor({ DATABASE_URL: url }, undefined)).toEqual({
      workers: cores,
      note: `${cores} process${cores === 1 ? '' : 'es'} (one per core)`,
    });
    expect(processesFor({ DATABASE_URL: url }, 3)).toEqual({ workers: 3, note: '3 processes' });
  });
});
