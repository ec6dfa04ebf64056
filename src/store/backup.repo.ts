import type { Queryable } from './db.ts';

/** A table of the registry as a backup sees it: its key, for stable order, and identities. */
export interface TableInfo {
  name: string;
  primaryKey: string[];
  /** `generated always as identity` columns, whose sequences are moved on after a restore. */
  identityColumns: string[];
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * Every table of the schema, parents before children (foreign keys), so rows can be restored
 * table by table without deferring constraints.
 */
export async function registryTables(q: Queryable): Promise<TableInfo[]> {
  const tables = await q.query<{ name: string }>(
    `select tablename as name from pg_tables where schemaname = current_schema() order by tablename`,
  );
  const keys = await q.query<{ name: string; columns: string[] }>(
    `select c.relname as name,
            array_agg(a.attname::text order by array_position(i.indkey::int2[], a.attnum)) as columns
     from pg_index i
     join pg_class c on c.oid = i.indrelid
     join pg_namespace n on n.oid = c.relnamespace and n.nspname = current_schema()
     join pg_attribute a on a.attrelid = c.oid and a.attnum = any(i.indkey::int2[])
     where i.indisprimary
     group by c.relname`,
  );
  const identities = await q.query<{ name: string; column: string }>(
    `select table_name as name, column_name as column from information_schema.columns
     where table_schema = current_schema() and is_identity = 'YES'`,
  );
  const references = await q.query<{ child: string; parent: string }>(
    `select child.relname as child, parent.relname as parent
     from pg_constraint f
     join pg_class child on child.oid = f.conrelid
     join pg_class parent on parent.oid = f.confrelid
     join pg_namespace n on n.oid = child.relnamespace and n.nspname = current_schema()
     where f.contype = 'f' and f.conrelid <> f.confrelid`,
  );
  const ordered: string[] = [];
  const pending = new Set(tables.map((t) => t.name));
  while (pending.size > 0) {
    const ready = [...pending].filter(
      (t) => !references.some((r) => r.child === t && pending.has(r.parent)),
    );
    if (ready.length === 0) throw new Error(`foreign keys form a cycle among ${[...pending]}`);
    for (const t of ready.sort()) {
      ordered.push(t);
      pending.delete(t);
    }
  }
  return ordered.map((name) => {
    const primaryKey = keys.find((k) => k.name === name)?.columns ?? [];
    if (primaryKey.length === 0) throw new Error(`table ${name} has no primary key to order by`);
    return {
      name,
      primaryKey,
      identityColumns: identities.filter((i) => i.name === name).map((i) => i.column),
    };
  });
}

/**
 * The table's rows as JSON text, in primary-key order, a batch at a time (keyset paging, so
 * a large table is never held whole in memory).
 */
export async function* tableRowsAsJson(
  q: Queryable,
  table: TableInfo,
  batchSize = 2000,
): AsyncGenerator<string[]> {
  const key = table.primaryKey.map(quoteIdent).join(', ');
  let after: unknown[] | null = null;
  for (;;) {
    const params: unknown[] = after ? [...after] : [];
    const where = after
      ? `where (${key}) > (${table.primaryKey.map((_, i) => `$${i + 1}`).join(', ')})`
      : '';
    // Aliased so that no table's own column (sign_in_throttle has one called key) is
    // shadowed in ORDER BY, where output names win.
    const rows: { row: string; row_key: unknown[] }[] = await q.query(
      `select row_to_json(t)::text as row, json_build_array(${key}) as row_key
       from ${quoteIdent(table.name)} t ${where} order by ${key} limit ${batchSize}`,
      params,
    );
    if (rows.length === 0) return;
    yield rows.map((r) => r.row);
    after = rows[rows.length - 1]?.row_key ?? null;
    if (rows.length < batchSize) return;
  }
}

/** Inserts rows given as JSON objects, keeping their ids (identity columns included). */
export async function insertJsonRows(
  q: Queryable,
  table: TableInfo,
  rows: string[],
): Promise<void> {
  if (rows.length === 0) return;
  const overriding = table.identityColumns.length > 0 ? 'overriding system value' : '';
  await q.query(
    `insert into ${quoteIdent(table.name)} ${overriding}
     select * from json_populate_recordset(null::${quoteIdent(table.name)}, $1::json)`,
    [`[${rows.join(',')}]`],
  );
}

/** Moves identity sequences past the restored ids, so new rows do not collide with them. */
export async function resetIdentities(q: Queryable, table: TableInfo): Promise<void> {
  for (const column of table.identityColumns) {
    await q.query(
      `select setval(pg_get_serial_sequence($1, $2),
                     coalesce((select max(${quoteIdent(column)}) from ${quoteIdent(table.name)}), 0) + 1,
                     false)`,
      [table.name, column],
    );
  }
}

export async function rowCount(q: Queryable, table: TableInfo): Promise<number> {
  const [row] = await q.query<{ n: number }>(
    `select count(*)::int as n from ${quoteIdent(table.name)}`,
  );
  return row?.n ?? 0;
}
