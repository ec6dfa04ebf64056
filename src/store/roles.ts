import type { Queryable } from './db.ts';

/** Tables the serving role may only read and append to: no update, delete or truncate. */
const APPEND_ONLY = ['audit_log'];
/** Kept by the owner (migrations, the chain trigger, which runs as the owner): read only. */
const READ_ONLY = ['audit_chain_heads', 'schema_migrations'];

/** An SQL identifier quoted, for a name that comes from the catalog or configuration. */
export const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** The user name in a postgres:// URL. */
export function roleOfUrl(url: string): string {
  const name = decodeURIComponent(new URL(url).username);
  if (!name) throw new Error(`${url.replace(/:[^:@/]*@/, ':***@')} names no user`);
  return name;
}

/**
 * Gives the role that serves requests what it needs on every table of the schema (run by
 * the owner after each migration, so new tables are covered): read and write, except
 * audit_log (select and insert only) and the tables only the owner keeps (select). The serving role
 * owns nothing, so it cannot alter, disable a trigger on or drop any table.
 */
export async function grantServingRole(q: Queryable, role: string): Promise<void> {
  const [owner] = await q.query<{ owns: boolean; exists: boolean }>(
    `select exists (select 1 from pg_roles where rolname = $1) as exists,
            exists (select 1 from pg_tables where schemaname = current_schema()
                    and tableowner = $1) as owns`,
    [role],
  );
  if (!owner?.exists) throw new Error(`PostgreSQL has no role ${role} (the user of DATABASE_URL)`);
  if (owner.owns)
    throw new Error(
      `The role ${role} of DATABASE_URL owns tables, so it could change the audit log; serve as a role that owns nothing and migrate with MIGRATION_DATABASE_URL as the owner`,
    );
  const r = quoteIdent(role);
  const tables = await q.query<{ name: string }>(
    `select tablename as name from pg_tables where schemaname = current_schema()`,
  );
  await q.query(`grant usage on schema ${quoteIdent(await schema(q))} to ${r}`);
  for (const { name } of tables) {
    const t = quoteIdent(name);
    await q.query(`revoke all on ${t} from ${r}`);
    const rights = READ_ONLY.includes(name)
      ? 'select'
      : APPEND_ONLY.includes(name)
        ? 'select, insert'
        : 'select, insert, update, delete';
    await q.query(`grant ${rights} on ${t} to ${r}`);
  }
  await q.query(
    `grant usage, select on all sequences in schema ${quoteIdent(await schema(q))} to ${r}`,
  );
}

async function schema(q: Queryable): Promise<string> {
  const [row] = await q.query<{ name: string }>('select current_schema() as name');
  return row?.name ?? 'public';
}
