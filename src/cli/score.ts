import { parseArgs } from 'node:util';
import { toQuestionnaireResponse, toScoreObservations } from '../core/fhir/instruments.ts';
import { type ScoredRow, scoreTable } from '../core/instruments/batch.ts';
import type { InstrumentDefinition } from '../core/instruments/definition.ts';
import {
  checkDefinitionFile,
  instrumentById,
  isKnownInstrument,
} from '../core/instruments/library.ts';
import { formatCsv, parseCsv } from '../core/tabular/csv.ts';
import { readInputFile } from './files.ts';
import { UsageError } from './usage.ts';

const SCORE_OPTIONS = {
  format: { type: 'string' },
  'ignore-other-columns': { type: 'boolean' },
} as const;

/** `stemtrack score INSTRUMENT FILE.csv [--format csv|json|fhir]`; returns the exit code. */
export async function scoreCommand(args: string[]): Promise<number> {
  let parsed: ReturnType<
    typeof parseArgs<{ options: typeof SCORE_OPTIONS; allowPositionals: true }>
  >;
  try {
    parsed = parseArgs({ args, options: SCORE_OPTIONS, allowPositionals: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const [instrumentId, file, ...extra] = parsed.positionals;
  const format = parsed.values.format ?? 'csv';
  if (!instrumentId || !file || extra.length > 0)
    throw new UsageError('give an instrument and one CSV file');
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
  if (!instrument.endsWith('.json')) {
    if (!isKnownInstrument(instrument))
      throw new UsageError(
        `unknown instrument '${instrument}' (give a built-in id or a definition .json file)`,
      );
    return instrumentById(instrument);
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
