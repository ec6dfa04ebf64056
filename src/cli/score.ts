import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { scoreTable } from '../core/instruments/batch.ts';
import { instrumentById, isKnownInstrument } from '../core/instruments/library.ts';
import { formatCsv, parseCsv } from '../core/tabular/csv.ts';
import { UsageError } from './usage.ts';

/** `stemtrack score INSTRUMENT FILE.csv [--format csv|json]`; returns the exit code. */
export async function scoreCommand(args: string[]): Promise<number> {
  let parsed: ReturnType<
    typeof parseArgs<{ options: { format: { type: 'string' } }; allowPositionals: true }>
  >;
  try {
    parsed = parseArgs({ args, options: { format: { type: 'string' } }, allowPositionals: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const [instrumentId, file, ...extra] = parsed.positionals;
  const format = parsed.values.format ?? 'csv';
  if (!instrumentId || !file || extra.length > 0)
    throw new UsageError('give an instrument and one CSV file');
  if (format !== 'csv' && format !== 'json')
    throw new UsageError(`--format is csv or json, not '${format}'`);
  if (!isKnownInstrument(instrumentId))
    throw new UsageError(`unknown instrument '${instrumentId}'`);
  const def = instrumentById(instrumentId);

  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    console.error(
      `stemtrack score: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
    return 1;
  }
  const { table, problems } = parseCsv(text);
  const result = problems.length > 0 ? { ok: false as const, problems } : scoreTable(def, table);
  if (!result.ok) {
    for (const p of result.problems) {
      console.error(`${file}: row ${p.row}${p.column ? `, column ${p.column}` : ''}: ${p.message}`);
    }
    console.error(`stemtrack score: ${result.problems.length} problem(s); nothing was scored.`);
    return 1;
  }
  const scales = def.scales.map((s) => s.id);
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
