import { describe, expect, it } from 'vitest';
import { auditActionWords, auditEventWords } from './audit-words.ts';

describe('audit log words', () => {
  it('says a known action on a known record in words', () => {
    expect(auditEventWords('correct', 'treatment')).toBe('Corrected a treatment');
    expect(auditEventWords('enrol-two-factor', 'user')).toBe(
      'Turned two-factor sign-in on for a user',
    );
  });
  it('shows an unknown code with spaces rather than hiding it', () => {
    expect(auditEventWords('log-call', 'follow_up_contact')).toBe('Log call follow up contact');
  });
  it('names each action in the filter without a dangling preposition', () => {
    expect(auditActionWords('change-role')).toBe('Changed the role');
    expect(auditActionWords('seed-demo')).toBe('Filled the demo registry');
    expect(auditActionWords('erase')).toBe('Erased');
  });
});
