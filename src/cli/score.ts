import { toQuestionnaireResponse, toScoreObservations } from '../core/fhir/instruments.ts';
import { type ScoredRow, scoreTable } from '../core/instruments/batch.ts';
import { type InstrumentDefinition, itemsOf } from '../core/instruments/definition.ts';
import { allInstruments, checkDefinitionFile } from '../core/instruments/library.ts';
import { type CsvProblem, formatCsv, parseCsv } from '../core/tabular/csv.ts';
import { readInputFile } from './files.ts';
import { parseOptions, UsageError } from './usage.ts';

const SCORE_OPTIONS = {
  format: { type: 'string' },
  'ignore-other-columns': { type: 'boolean' },
} as const;

/** `stemtrack score INSTRUMENT FILE.csv [--format csv|json|fhir]`; returns the exit code. */
export async function scoreCommand(args: string[]): Promise<number> {
  const parsed = parseOptions(args, SCORE_OPTIONS, true);
  const [instrumentId, file, ...extra] = parsed.positionals;
  const format = parsed.values.format ?? 'csv';
  if (!instrumentId || !file || extra.length > 0)
    throw new UsageError(
      'give an instrument (such as koos) and one CSV file (or - for standard input)',
    );
  if (format !== 'csv' && format !== 'json' && format !== 'fhir')
    throw new UsageError(`--format is csv, json or fhir, not '${format}'`);
  const def = resolveInstrument('score', instrumentId);
  if (!def) return 1;

  const text = readInputFile('score', file);
  if (text === undefined) return 1;
  const { table, problems } = parseCsv(text);
  const result =
    problems.length > 0
      ? { ok: false as const, problems }
      : scoreTable(def, table, { ignoreOtherColumns: parsed.values['ignore-other-columns'] });
  if (!result.ok) {
    for (const p of result.problems) {
      console.error(`${file}: row ${p.row}${p.column ? `, column ${p.column}` : ''}: ${p.message}`);
    }
    console.error(`stemtrack score: ${result.problems.length} problem(s); nothing was scored.`);
    const others = otherColumns(def, result.problems);
    if (others.length > 0)
      console.error(
        `Columns ${others.join(', ')} are not ${def.shortName} items. To score ${def.shortName} from a file that has other columns too (such as full-form answers), add --ignore-other-columns: they are then left out and listed.`,
      );
    return 1;
  }
  if (result.ignoredColumns.length > 0)
    console.error(
      `stemtrack score: left out ${result.ignoredColumns.length} column(s) that are not ${def.shortName} items: ${result.ignoredColumns.join(', ')}`,
    );
  const scales = def.scales.map((s) => s.id);
  if (format === 'fhir') {
    process.stdout.write(`${JSON.stringify(responsesBundle(def, result.rows), null, 2)}\n`);
    return 0;
  }
  if (format === 'json') {
    const rows = result.rows.map((r) => ({
      id: r.id,
      ...Object.fromEntries(scales.map((s) => [s, r.scores[s] ?? null])),
    }));
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  } else {
    const rows = result.rows.map((r) => [
      r.id,
      ...scales.map((s) =>
        r.scores[s] === null || r.scores[s] === undefined ? '' : String(r.scores[s]),
      ),
    ]);
    process.stdout.write(formatCsv(['id', ...scales], rows));
  }
  return 0;
}

/**
 * A built-in instrument by id, or a licensed definition given as a path to its JSON file
 * (checked as `stemtrack import-instrument` checks it). Problems go to stderr.
 */
export function resolveInstrument(
  command: string,
  instrument: string,
): InstrumentDefinition | undefined {
  if (!instrument.toLowerCase().endsWith('.json')) {
    // Ids are lower case; people type them as the instruments are written (KOOS, HOOS-JR).
    const known = allInstruments();
    const def = known.find((d) => d.id === instrument.toLowerCase());
    if (!def)
      throw new UsageError(
        `unknown instrument '${instrument}'; give one of ${known.map((d) => d.id).join(', ')}, or a definition .json file`,
      );
    return def;
  }
  const text = readInputFile(command, instrument);
  if (text === undefined) return undefined;
  const check = checkDefinitionFile(text);
  if (!check.ok) {
    for (const p of check.problems) console.error(`${instrument}: ${p.path}: ${p.message}`);
    console.error(`stemtrack ${command}: ${instrument} is not a valid instrument definition.`);
    return undefined;
  }
  return check.definition;
}

/**
 * The header columns the file was refused for because the instrument has no such item, as
 * opposed to broken rows, which leaving other columns out would not mend.
 */
function otherColumns(def: InstrumentDefinition, problems: readonly CsvProblem[]): string[] {
  const items = new Set(itemsOf(def).map((i) => i.code));
  const others = problems
    .filter((p) => p.row === 1 && p.column && p.column !== 'id' && !items.has(p.column))
    .map((p) => p.column);
  return [...new Set(others)];
}

/** A FHIR R4 collection Bundle: per row, its QuestionnaireResponse and score Observations. */
function responsesBundle(def: InstrumentDefinition, rows: ScoredRow[]) {
  const entries = rows.flatMap((row) => {
    const response = { id: fhirId(row.id), answers: row.answers, scores: row.scores };
    return [toQuestionnaireResponse(def, response), ...toScoreObservations(def, response)].map(
      (resource) => ({ resource }),
    );
  });
  return { resourceType: 'Bundle', type: 'collection', entry: entries };
}

/** FHIR ids allow letters, digits, '-' and '.', up to 64 characters. */
function fhirId(id: string): string {
  return id.replace(/[^A-Za-z0-9.-]/g, '-').slice(0, 64);
}
