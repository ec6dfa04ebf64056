import { describe, expect, it } from 'vitest';
import { openApiDocument } from './openapi.ts';

type Doc = {
  paths: Record<
    string,
    Record<string, { requestBody?: Schemaed; responses: Record<string, Schemaed> }>
  >;
};
type Schemaed = {
  content?: { 'application/json': { schema: { properties?: Record<string, unknown> } } };
};
const schemaOf = (x: Schemaed | undefined) =>
  x?.content?.['application/json'].schema.properties ?? {};

describe('the OpenAPI description', () => {
  const doc = openApiDocument() as Doc;

  it('describes the survey link confirmation, whether it was e-mailed and whether e-mail is on', () => {
    const issue = doc.paths['/api/episodes/{id}/surveys']?.post;
    expect(Object.keys(schemaOf(issue?.requestBody))).toEqual(
      expect.arrayContaining(['timepoint', 'instruments', 'alsoAsk', 'confirmOutsideWindow']),
    );
    expect(schemaOf(issue?.responses[201])).toHaveProperty('emailed.type', 'boolean');
    expect(schemaOf(doc.paths['/api/vocabulary']?.get?.responses[200])).toHaveProperty(
      'emailOn.type',
      'boolean',
    );
  });
});
