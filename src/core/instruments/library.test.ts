import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  allInstruments,
  checkDefinitionFile,
  clearLicensedInstruments,
  instrumentById,
  instrumentsAt,
  isKnownInstrument,
  registerLicensedInstrument,
} from './library.ts';
import { scoreResponse } from './scoring.ts';

const example = readFileSync(new URL('./fixtures/example-licensed.json', import.meta.url), 'utf8');

describe('licensed instrument definitions', () => {
  afterEach(() => clearLicensedInstruments());

  it('accepts a valid definition file, registers it, and scores with it', () => {
    const check = checkDefinitionFile(example);
    if (!check.ok) throw new Error(JSON.stringify(check.problems));
    registerLicensedInstrument(check.definition);
    expect(isKnownInstrument('example-joint-scale')).toBe(true);
    expect(allInstruments().map((d) => d.id)).toEqual([
      'nrs-pain',
      'koos',
      'koos-12',
      'koos-jr',
      'hoos',
      'hoos-jr',
      'promis-global-10',
      'patient-global',
      'satisfaction-work',
      'example-joint-scale',
    ]);
    expect(
      scoreResponse(instrumentById('example-joint-scale'), { E1: 0, E2: 4, E3: null }),
    ).toEqual({ total: 50 });
  });

  it('leaves follow-up-only questionnaires out of a baseline survey', () => {
    const asked = ['nrs-pain', 'koos', 'patient-global', 'satisfaction-work'];
    expect(instrumentsAt(asked, 'baseline')).toEqual(['nrs-pain', 'koos', 'patient-global']);
    expect(instrumentsAt(asked, 'm6')).toEqual(asked);
  });

  it('refuses a bad file with every problem named by its path', () => {
    expect(checkDefinitionFile('{ not json')).toMatchObject({
      ok: false,
      problems: [{ path: '(file)' }],
    });
    // Shape first: every missing or mistyped field at once.
    const shape = JSON.parse(example);
    delete shape.termsOfUse;
    shape.version = 2;
    const shapeCheck = checkDefinitionFile(JSON.stringify(shape));
    expect(shapeCheck.ok || shapeCheck.problems.map((p) => p.path).sort()).toEqual([
      'termsOfUse',
      'version',
    ]);
    // Then consistency: every scale and item that does not fit together.
    const broken = JSON.parse(example);
    broken.scales[0].items.push('E9');
    broken.sections[0].items[1].responseSet = 'nope';
    const check = checkDefinitionFile(JSON.stringify(broken));
    expect(check.ok || check.problems.map((p) => p.path).sort()).toEqual([
      'scales.0.items.3',
      'sections.0.items.1.responseSet',
    ]);
  });

  it('never lets an import replace a built-in instrument', () => {
    const clash = { ...JSON.parse(example), id: 'koos' };
    expect(checkDefinitionFile(JSON.stringify(clash))).toMatchObject({
      ok: false,
      problems: [
        { path: 'id', message: 'koos is a built-in instrument; give the licensed one another id' },
      ],
    });
    expect(() => registerLicensedInstrument(instrumentById('koos'))).toThrow('built-in');
  });
});
