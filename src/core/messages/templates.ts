import { CATALOGUES, resolveLanguage } from '../i18n/catalogues.ts';
import { EN } from '../i18n/en.ts';
import { translator } from '../i18n/translate.ts';
import { addDays, displayDate, type IsoDate } from '../registry/dates.ts';

/** What a survey e-mail may say; templates name these as {{name}}. */
export interface SurveyMessageVars {
  clinicName: string;
  timepointLabel: string;
  link: string;
  /** The target date of this follow-up (the patient's next due date). */
  dueDate: IsoDate;
  /** Last day of the window. */
  closesOn: IsoDate;
  unsubscribeLink: string;
}

export interface MessageTemplate {
  subject: string;
  body: string;
}

export type MessageKind = 'invitation' | 'reminder';

const PLACEHOLDER_NAMES = [
  'clinicName',
  'timepointLabel',
  'link',
  'dueDate',
  'closesOn',
  'unsubscribeLink',
] as const;

/**
 * StemTrack's own wording in one catalogue language, as a template a registry may replace: the
 * catalogue's ICU message formatted with each value as its {{name}} placeholder.
 */
function catalogueTemplate(locale: string, kind: MessageKind): MessageTemplate {
  const t = translator(locale, CATALOGUES[locale] ?? EN, EN);
  const asPlaceholders = Object.fromEntries(PLACEHOLDER_NAMES.map((n) => [n, `{{${n}}}`]));
  return {
    subject: t(`email.${kind}.subject`, asPlaceholders),
    body: t(`email.${kind}.body`, asPlaceholders),
  };
}

/** StemTrack's default wording per catalogue language; a registry may replace it per language. */
export const DEFAULT_TEMPLATES: Record<
  string,
  Record<MessageKind, MessageTemplate>
> = Object.fromEntries(
  Object.keys(CATALOGUES).map((locale) => [
    locale,
    {
      invitation: catalogueTemplate(locale, 'invitation'),
      reminder: catalogueTemplate(locale, 'reminder'),
    },
  ]),
);

const PLACEHOLDER = /\{\{(\w+)\}\}/g;

/**
 * A date as the patient reads it: English as the clinic's screens show it ("2 Sep 2026"), any
 * other language in its own words ("2 septembre 2026"), never as stored.
 */
export function patientDate(date: IsoDate, language: string): string {
  if ((language.split('-')[0] ?? 'en').toLowerCase() === 'en') return displayDate(date);
  try {
    return new Intl.DateTimeFormat(language, {
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      timeZone: 'UTC',
    }).format(new Date(`${date}T00:00:00Z`));
  } catch {
    return displayDate(date);
  }
}

/** Fills a template; a placeholder that names no known value is an error, never sent as is. */
export function renderTemplate(
  template: MessageTemplate,
  vars: SurveyMessageVars,
  language = 'en',
): MessageTemplate {
  const fill = (text: string) =>
    text.replace(PLACEHOLDER, (_, name: string) => {
      if (!(name in vars)) throw new Error(`Unknown placeholder {{${name}}} in a message template`);
      const value = String(vars[name as keyof SurveyMessageVars]);
      return name === 'dueDate' || name === 'closesOn' ? patientDate(value, language) : value;
    });
  return { subject: fill(template.subject), body: fill(template.body) };
}

/**
 * Days on which reminders go out: `every` days after the invitation, up to `count`, only while
 * the window is open (a reminder after it closes would send a patient to a dead end).
 */
export function reminderDates(
  invitedOn: IsoDate,
  closesOn: IsoDate,
  count: number,
  every: number,
): IsoDate[] {
  const dates: IsoDate[] = [];
  for (let n = 1; n <= count; n++) {
    const day = addDays(invitedOn, n * every);
    if (day > closesOn) break;
    dates.push(day);
  }
  return dates;
}

/** Placeholders a survey e-mail must carry: without them the patient cannot answer or opt out. */
export const REQUIRED_PLACEHOLDERS = ['link', 'unsubscribeLink'] as const;

/** Problems with a registry's own template, by field; empty when it can be used. */
export function templateProblems(template: MessageTemplate): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  const known = new Set<string>(PLACEHOLDER_NAMES);
  for (const field of ['subject', 'body'] as const) {
    for (const [, name] of template[field].matchAll(/\{\{(\w+)\}\}/g))
      if (!known.has(name as string))
        problems.push({ field, message: `Unknown placeholder {{${name}}}` });
  }
  for (const name of REQUIRED_PLACEHOLDERS)
    if (!template.body.includes(`{{${name}}}`))
      problems.push({ field: 'body', message: `The body must contain {{${name}}}` });
  return problems;
}

/**
 * The tags to look a patient's tag up by, most specific first: the tag, then each shorter
 * prefix ("zh-Hant-TW" → "zh-Hant" → "zh"), dropping a single-letter subtag left at the end,
 * as RFC 4647's Lookup (§3.4) truncates a tag.
 */
export function lookupChain(tag: string): string[] {
  const chain: string[] = [];
  const parts = tag.split('-').filter((p) => p !== '');
  while (parts.length > 0) {
    chain.push(parts.join('-'));
    parts.pop();
    if (parts.length > 1 && (parts.at(-1)?.length ?? 0) === 1) parts.pop();
  }
  return chain;
}

/**
 * The template to use, most specific first: for the patient's BCP 47 tag and then each
 * shorter form of it ("pt-BR" → "pt"), the registry's own wording before StemTrack's in that
 * language; then the registry's default, its own English, and last StemTrack's English.
 */
export function chooseTemplate(
  own: readonly { language: string; kind: MessageKind; subject: string; body: string }[],
  language: string,
  kind: MessageKind,
): MessageTemplate {
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  const registry = (lang: string) => own.find((t) => same(t.language, lang) && t.kind === kind);
  const stemtrack = (lang: string) =>
    same(resolveLanguage(lang), lang)
      ? DEFAULT_TEMPLATES[resolveLanguage(lang)]?.[kind]
      : undefined;
  let found: MessageTemplate | undefined;
  for (const lang of lookupChain(language)) {
    found = registry(lang) ?? stemtrack(lang);
    if (found) break;
  }
  found ??= registry('en') ?? DEFAULT_TEMPLATES.en?.[kind];
  if (!found) throw new Error(`No ${kind} template`);
  return { subject: found.subject, body: found.body };
}
