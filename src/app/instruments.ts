import { invalid } from '../core/errors.ts';
import { instrumentDefinitionSchema } from '../core/instruments/definition.ts';
import { checkDefinitionFile, registerLicensedInstrument } from '../core/instruments/library.ts';
import type { Db, Queryable } from '../store/db.ts';
import { listLicensedInstruments, upsertLicensedInstrument } from '../store/instruments.repo.ts';

/** Validates and stores a licensed instrument definition; a bad file is refused whole. */
export async function importLicensedInstrument(q: Queryable, fileName: string, text: string) {
  const check = checkDefinitionFile(text);
  if (!check.ok)
    throw invalid(
      `${fileName} is not a valid instrument definition; nothing was imported`,
      check.problems.map((p) => ({ field: p.path, message: p.message })),
    );
  const outcome = await upsertLicensedInstrument(q, check.definition, fileName);
  return { definition: check.definition, outcome };
}

/** Registers every stored licensed definition; run once at start-up. Returns their ids. */
export async function loadLicensedInstruments(db: Db): Promise<string[]> {
  const rows = await listLicensedInstruments(db);
  for (const row of rows)
    registerLicensedInstrument(instrumentDefinitionSchema.parse(row.definition));
  return rows.map((r) => r.id);
}
