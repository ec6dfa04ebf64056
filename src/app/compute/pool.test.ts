import { afterEach, describe, expect, it } from 'vitest';
import { DomainError } from '../../core/errors.ts';
import { computeMetaAnalysis, metaRequestSchema } from '../evidence/meta.ts';
import { ComputePool } from './pool.ts';

const CSV = `study,yi,vi\n${Array.from({ length: 400 }, (_, i) => `S${i},${(i % 9) / 10},0.0${(i % 5) + 1}`).join('\n')}\n`;

describe('the compute pool', () => {
  let pool: ComputePool;
  afterEach(async () => {
    await pool.close();
  });

  it('computes a meta-analysis on a worker thread, with the same result as in line', async () => {
    pool = new ComputePool({ size: 1 });
    const request = metaRequestSchema.parse({ csv: CSV });
    const off = await pool.run('meta', request);
    expect(off).toEqual(computeMetaAnalysis(request));
  });

  it('keeps the event loop free while a task runs', async () => {
    pool = new ComputePool({ size: 1 });
    await pool.run('spin', 1); // the thread is up
    let longestGap = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
    }, 5);
    await pool.run('spin', 600);
    clearInterval(timer);
    expect(longestGap).toBeLessThan(200);
  });

  it('refuses work beyond its queue with a clear "busy" error', async () => {
    pool = new ComputePool({ size: 1, queueLimit: 2 });
    const running = [pool.run('spin', 300), pool.run('spin', 1), pool.run('spin', 1)];
    const refused = await pool.run('spin', 1).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).code).toBe('unavailable');
    expect((refused as DomainError).message).toMatch(/busy/);
    expect(await Promise.all(running)).toEqual([300, 1, 1]);
  });

  it('passes a domain error back as one, naming the field', async () => {
    pool = new ComputePool({ size: 1 });
    const request = metaRequestSchema.parse({ csv: 'study,yi,vi\nA,x,0.1\n' });
    const error = await pool.run('meta', request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('invalid');
    expect((error as DomainError).fields[0]?.field).toMatch(/csv row/);
  });

  it('stops a running task at once when closed', async () => {
    pool = new ComputePool({ size: 1 });
    const long = pool.run('spin', 60_000).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    const started = performance.now();
    await pool.close();
    expect(await long).toBeInstanceOf(DomainError);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
