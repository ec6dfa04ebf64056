import type { z } from 'zod';
import { type FieldProblem, invalid } from './errors.ts';

/**
 * Parses `input` with `schema`; on failure throws one `invalid` error with every problem. The
 * message repeats the problems in words, since a person reads it and field codes mean nothing.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input, { error: inWords });
  if (result.success) return result.data;
  const fields: FieldProblem[] = result.error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.join('.') : '(body)',
    message: issue.message,
  }));
  const problems = [...new Set(fields.map((f) => f.message))].join('; ');
  throw invalid(`Please correct: ${problems}`, fields);
}

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  record: 'an object',
};

const what = (origin: unknown) =>
  origin === 'string' ? 'characters' : origin === 'array' ? 'entries' : '';

/**
 * Plain words for the checks a schema did not word itself (a schema's own message wins):
 * "is missing" rather than zod's "Invalid input: expected string, received undefined".
 * Passed to `safeParse` as its error map.
 */
export function inWords(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type': {
      const expected = TYPE_WORDS[String(issue.expected)] ?? String(issue.expected);
      if (issue.input === undefined) return `Is missing; give ${expected}`;
      if (expected === 'a number' && typeof issue.input === 'number')
        return 'Must be a finite number';
      return `Must be ${expected}, not ${describe(issue.input)}`;
    }
    case 'too_big': {
      const unit = what(issue.origin);
      const max = String(issue.maximum);
      return issue.inclusive === false
        ? `Must be below ${max}${unit ? ` ${unit}` : ''}`
        : `Must be at most ${max}${unit ? ` ${unit}` : ''}`;
    }
    case 'too_small': {
      const unit = what(issue.origin);
      const min = String(issue.minimum);
      if (issue.origin === 'string' && min === '1') return 'Must not be empty';
      if (issue.origin === 'array' && min === '1') return 'Needs at least one entry';
      return issue.inclusive === false
        ? `Must be above ${min}${unit ? ` ${unit}` : ''}`
        : `Must be at least ${min}${unit ? ` ${unit}` : ''}`;
    }
    case 'invalid_value':
      return `Must be one of ${issue.values.map((v) => String(v)).join(', ')}, not ${describe(issue.input)}`;
    case 'unrecognized_keys':
      return `Has no field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}; remove ${issue.keys.length > 1 ? 'them' : 'it'} or check the spelling`;
    case 'invalid_format':
      return issue.format === 'url'
        ? 'Must be a full URL such as https://example.org'
        : issue.format === 'email'
          ? 'Must be an e-mail address'
          : `Is not in the ${issue.format} format`;
    case 'not_multiple_of':
      return `Must be a multiple of ${String(issue.divisor)}`;
    case 'invalid_union':
      return 'Does not match any of the accepted forms';
    default:
      return undefined;
  }
}

/** A value as a person would quote it back. */
function describe(value: unknown): string {
  if (value === null) return 'empty (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** Deeper than any body StemTrack takes; deeper nesting is refused before anything reads it. */
export const MAX_JSON_DEPTH = 32;

/** A C0 control or DEL; tab, line feed and carriage return count as text when `multiline`. */
function isControl(code: number, multiline: boolean): boolean {
  if (code === 0x7f) return true;
  if (code >= 0x20) return false;
  return !(multiline && (code === 0x09 || code === 0x0a || code === 0x0d));
}

/**
 * True if `value` holds a control character. JSON text fields are `multiline` (notes and
 * message bodies span lines); query strings and field names are not.
 */
export function hasControlCharacter(value: string, multiline = false): boolean {
  for (let i = 0; i < value.length; i++) if (isControl(value.charCodeAt(i), multiline)) return true;
  return false;
}

/** A name fit to echo back: control characters shown as '?', at most 40 characters. */
function safeName(name: string): string {
  let out = '';
  for (const ch of name.slice(0, 40)) out += isControl(ch.charCodeAt(0), false) ? '?' : ch;
  return out;
}

/**
 * The first problem in a parsed JSON body, or null: a string or key holding a control
 * character, or nesting deeper than MAX_JSON_DEPTH. Walks with its own stack, so a
 * 10,000-deep body cannot overflow the call stack here.
 */
export function badJsonValue(value: unknown): FieldProblem | null {
  const stack: { value: unknown; path: string[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: v, path } = stack.pop() as { value: unknown; path: string[] };
    const field = path.length > 0 ? path.join('.') : '(body)';
    if (typeof v === 'string') {
      if (hasControlCharacter(v, true))
        return { field, message: 'Contains a control character; remove it and try again' };
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (path.length >= MAX_JSON_DEPTH)
      return { field, message: `Nested more than ${MAX_JSON_DEPTH} levels deep` };
    for (const [key, child] of Object.entries(v)) {
      if (hasControlCharacter(key))
        return {
          field: [...path, safeName(key)].join('.'),
          message: 'Field name contains a control character',
        };
      stack.push({ value: child, path: [...path, key] });
    }
  }
  return null;
}

/**
 * The first problem in a raw query string (`a=1&b=2`, without `?`), or null: bad
 * percent-encoding or a control character, naming the parameter.
 */
export function badQueryString(raw: string): FieldProblem | null {
  for (const pair of raw.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawName = eq < 0 ? pair : pair.slice(0, eq);
    const rawValue = eq < 0 ? '' : pair.slice(eq + 1);
    let name: string;
    let value: string;
    try {
      name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      value = decodeURIComponent(rawValue.replace(/\+/g, ' '));
    } catch {
      return { field: safeName(rawName), message: 'Badly percent-encoded' };
    }
    if (hasControlCharacter(name) || hasControlCharacter(value))
      return { field: safeName(name), message: 'Contains a control character; remove it' };
  }
  return null;
}

/**
 * A whole number from a query parameter, or `fallback` when it is absent; anything else
 * (0.5, 1e20, -1 below `min`, text) is refused with a 400 naming the parameter.
 */
export function integerParam(
  raw: string | undefined,
  field: string,
  { fallback, min, max }: { fallback: number; min: number; max: number },
): number {
  if (raw === undefined || raw === '') return fallback;
  const n = /^-?\d{1,15}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const message = `Must be a whole number from ${min} to ${max}`;
    throw invalid(`Please correct: ${field}`, [{ field, message }]);
  }
  return n;
}
