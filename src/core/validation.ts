import type { z } from 'zod';
import { type FieldProblem, invalid } from './errors.ts';

/**
 * Parses `input` with `schema`; on failure throws one `invalid` error with every problem. The
 * message repeats the problems in words, since a person reads it and field codes mean nothing.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fields: FieldProblem[] = result.error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.join('.') : '(body)',
    message: issue.message,
  }));
  const problems = [...new Set(fields.map((f) => f.message))].join('; ');
  throw invalid(`Please correct: ${problems}`, fields);
}
