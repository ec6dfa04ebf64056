import type { z } from 'zod';
import { type FieldProblem, invalid } from './errors.ts';

/** Parses `input` with `schema`; on failure throws one `invalid` error naming every bad field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fields: FieldProblem[] = result.error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.join('.') : '(body)',
    message: issue.message,
  }));
  const names = [...new Set(fields.map((f) => f.field))].join(', ');
  throw invalid(`Please correct: ${names}`, fields);
}
