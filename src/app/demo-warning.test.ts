import { describe, expect, it } from 'vitest';
import { demoExposureWarning } from './demo.ts';

describe('demo accounts on the network', () => {
  it('warns loudly when a demo registry listens beyond loopback, and only then', () => {
    expect(demoExposureWarning('0.0.0.0', true)).toMatch(/WARNING: demo accounts are enabled/);
    expect(demoExposureWarning('192.168.1.5', true)).toContain('192.168.1.5');
    for (const host of ['127.0.0.1', 'localhost', '::1'])
      expect(demoExposureWarning(host, true)).toBeUndefined();
    expect(demoExposureWarning('0.0.0.0', false)).toBeUndefined();
  });
});
