import type { InstrumentDefinition } from '../core/instruments/definition.ts';
import type { InstrumentTranslation } from '../core/instruments/translation.ts';
import type { Queryable } from './db.ts';

export async function upsertLicensedInstrument(
  q: Queryable,
  def: InstrumentDefinition,
  importedFrom: string,
): Promise<'added' | 'replaced'> {
  const [row] = await q.query<{ inserted: boolean }>(
    `insert into licensed_instruments (id, definition, imported_from) values ($1, $2::jsonb, $3)
     on conflict (id) do update set definition = excluded.definition, imported_from = excluded.imported_from,
       imported_at = now()
     returning (xmax = 0) as inserted`,
    [def.id, JSON.stringify(def), importedFrom],
  );
  return row?.inserted ? 'added' : 'replaced';
}

export function listLicensedInstruments(
  q: Queryable,
): Promise<{ id: string; definition: unknown }[]> {
  return q.query('select id, definition from licensed_instruments order by id');
}

/** Stores a checked translation file, replacing the one for the same instrument and language. */
export async function upsertInstrumentTranslation(
  q: Queryable,
  t: InstrumentTranslation,
  importedFrom: string,
): Promise<'added' | 'replaced'> {
  const [row] = await q.query<{ inserted: boolean }>(
    `insert into instrument_translations (instrument, language, translation, imported_from)
     values ($1, $2, $3::jsonb, $4)
     on conflict (instrument, language) do update set translation = excluded.translation,
       imported_from = excluded.imported_from, imported_at = now()
     returning (xmax = 0) as inserted`,
    [t.instrument, t.language, JSON.stringify(t), importedFrom],
  );
  return row?.inserted ? 'added' : 'replaced';
}

export function listInstrumentTranslations(q: Queryable): Promise<{ translation: unknown }[]> {
  return q.query('select translation from instrument_translations order by instrument, language');
}
