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
