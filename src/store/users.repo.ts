import type { Role } from '../core/registry/vocabulary.ts';
import type { Queryable } from './db.ts';

export interface User {
  id: string;
  siteId: string;
  siteName: string;
  email: string;
  name: string;
  role: Role;
}

const USER_COLUMNS = `u.id, u.site_id as "siteId", s.name as "siteName", u.email, u.name, u.role`;

export async function insertUser(
  q: Queryable,
  user: { siteId: string; email: string; name: string; role: Role; passwordHash: string | null },
): Promise<User> {
  const [row] = await q.query<{ id: string }>(
    `insert into users (site_id, email, name, role, password_hash)
     values ($1, $2, $3, $4, $5) returning id`,
    [user.siteId, user.email, user.name, user.role, user.passwordHash],
  );
  const created = row && (await findUserById(q, row.id));
  if (!created) throw new Error('insert into users returned no row');
  return created;
}

export async function findUserById(q: Queryable, id: string): Promise<User | undefined> {
  const [row] = await q.query<User>(
    `select ${USER_COLUMNS} from users u join sites s on s.id = u.site_id
     where u.id = $1 and u.disabled_at is null`,
    [id],
  );
  return row;
}

export async function findLoginByEmail(
  q: Queryable,
  email: string,
): Promise<(User & { passwordHash: string | null; totpSecret: string | null }) | undefined> {
  const [row] = await q.query<User & { passwordHash: string | null; totpSecret: string | null }>(
    `select ${USER_COLUMNS}, u.password_hash as "passwordHash", u.totp_secret as "totpSecret"
     from users u join sites s on s.id = u.site_id
     where lower(u.email) = lower($1) and u.disabled_at is null`,
    [email],
  );
  return row;
}

export async function countUsers(q: Queryable): Promise<number> {
  const [row] = await q.query<{ n: number }>('select count(*)::int as n from users');
  return row?.n ?? 0;
}
