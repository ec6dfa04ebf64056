import type { Queryable } from './db.ts';

export interface Site {
  id: string;
  name: string;
}

export async function createSite(q: Queryable, name: string): Promise<Site> {
  const [row] = await q.query<Site>('insert into sites (name) values ($1) returning id, name', [
    name,
  ]);
  if (!row) throw new Error('insert into sites returned no row');
  return row;
}

export function listSites(q: Queryable): Promise<Site[]> {
  return q.query<Site>('select id, name from sites order by created_at, name');
}

export async function findSiteByName(q: Queryable, name: string): Promise<Site | undefined> {
  const [row] = await q.query<Site>('select id, name from sites where name = $1', [name]);
  return row;
}

/** The site's secret from which study ids and date shifts derive (migration 0010). */
export async function pseudonymKeyOf(q: Queryable, siteId: string): Promise<string> {
  const [row] = await q.query<{ key: string }>(
    'select pseudonym_key as key from sites where id = $1',
    [siteId],
  );
  if (!row) throw new Error('site not found');
  return row.key;
}
