/** The audit log's action and record codes in a coordinator's words (codes stay in the CSV). */
const ACTIONS: Record<string, string> = {
  'access-settings': 'Changed sign-in settings of',
  'change-password': 'Changed the password of',
  'change-role': 'Changed the role of',
  correct: 'Corrected',
  create: 'Recorded',
  deactivate: 'Deactivated',
  'disable-two-factor': 'Turned two-factor sign-in off for',
  'email-opt-out': 'Stopped e-mails to',
  'end-other-sessions': 'Signed out other sessions of',
  'enrol-two-factor': 'Turned two-factor sign-in on for',
  erase: 'Erased',
  export: 'Exported',
  invite: 'Invited',
  login: 'Signed in',
  read: 'Read',
  'read-aggregate': 'Read totals of',
  'regenerate-recovery-codes': 'Made new recovery codes for',
  'seed-demo': 'Filled the demo registry:',
  'sms-opt-in': 'Texts allowed by',
  'sms-opt-out': 'Texts stopped by',
  submit: 'Submitted',
  update: 'Changed',
};

const RECORDS: Record<string, string> = {
  audit_log: 'the audit log',
  'follow-up-worklist': 'the follow-up worklist',
  joint_episode: 'a joint',
  message_template: 'a message template',
  patient: 'a patient',
  patient_history: "a patient's history",
  registry: 'the registry',
  'registry-vs-evidence': 'registry against published evidence',
  schedule: 'the follow-up schedule',
  site: 'the clinic',
  survey_assignment: 'a survey link',
  treatment: 'a treatment',
  user: 'a user',
};

const spaced = (code: string) => code.replace(/[-_]+/g, ' ');

/** "Corrected a treatment"; an unknown code is shown with its dashes as spaces. */
export function auditEventWords(action: string, entity: string): string {
  const verb = ACTIONS[action] ?? capitalised(spaced(action));
  const record = RECORDS[entity] ?? spaced(entity);
  return `${verb} ${record}`;
}

/** The action filter's option text. */
export function auditActionWords(action: string): string {
  const verb = ACTIONS[action];
  return verb ? verb.replace(/( (of|for|to|by)|:)$/, '') : capitalised(spaced(action));
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
