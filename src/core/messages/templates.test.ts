import { describe, expect, it } from 'vitest';
import { DEFAULT_TEMPLATES, reminderDates, renderTemplate } from './templates.ts';

const vars = {
  clinicName: 'Harbour Clinic',
  timepointLabel: '6 months',
  link: 'https://clinic.example/s/abc',
  dueDate: '2026-09-02',
  closesOn: '2026-10-02',
  unsubscribeLink: 'https://clinic.example/unsubscribe/xyz',
} as const;

describe('survey messages', () => {
  it('fills the default invitation with the link, due date and opt-out link', () => {
    const { subject, body } = renderTemplate(
      DEFAULT_TEMPLATES.en?.invitation ?? { subject: '', body: '' },
      vars,
    );
    expect(subject).toBe('Harbour Clinic: your 6 months questionnaire');
    expect(body).toContain('due on 2026-09-02');
    expect(body).toContain('https://clinic.example/s/abc');
    expect(body).toContain('https://clinic.example/unsubscribe/xyz');
    expect(body).not.toContain('{{');
  });

  it('refuses a template with an unknown placeholder', () => {
    expect(() => renderTemplate({ subject: 'Hi {{firstName}}', body: '' }, vars)).toThrow(
      '{{firstName}}',
    );
  });

  it('schedules reminders only while the window is open', () => {
    expect(reminderDates('2026-09-01', '2026-10-02', 3, 7)).toEqual([
      '2026-09-08',
      '2026-09-15',
      '2026-09-22',
    ]);
    expect(reminderDates('2026-09-28', '2026-10-02', 3, 7)).toEqual([]);
  });
});
