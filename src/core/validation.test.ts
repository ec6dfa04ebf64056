import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseInput } from './validation.ts';

/** The messages parseInput gives for `input`, by field. */
function problems(schema: z.ZodType, input: unknown): Record<string, string> {
  try {
    parseInput(schema, input);
  } catch (error) {
    const fields = (error as { fields: { field: string; message: string }[] }).fields;
    return Object.fromEntries(fields.map((f) => [f.field, f.message]));
  }
  throw new Error('expected the input to be refused');
}

describe('schema problems in words', () => {
  it("words the checks a schema leaves to zod's defaults", () => {
    const schema = z.strictObject({
      name: z.string(),
      count: z.number().int().min(1).max(3),
      side: z.enum(['left', 'right']),
      tags: z.array(z.string()).min(2),
      url: z.url(),
    });
    expect(
      problems(schema, { count: 9, side: 'up', tags: [], url: 'nope', colour: 'red' }),
    ).toEqual({
      name: 'Is missing; give text',
      count: 'Must be at most 3',
      side: 'Must be one of left, right, not "up"',
      tags: 'Must be at least 2 entries',
      url: 'Must be a full URL such as https://example.org',
      '(body)': 'Has no field colour; remove it or check the spelling',
    });
    expect(problems(schema.partial(), { name: 3, count: 1.5 })).toEqual({
      name: 'Must be text, not 3',
      count: 'Must be a whole number, not 1.5',
    });
  });

  it("keeps a schema's own message", () => {
    const schema = z.object({
      age: z.number({ error: 'Age is a number of years' }).max(130, 'Too old'),
    });
    expect(problems(schema, { age: 'x' })).toEqual({ age: 'Age is a number of years' });
    expect(problems(schema, { age: 200 })).toEqual({ age: 'Too old' });
  });
});
