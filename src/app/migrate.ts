import type { Db } from '../store/db.ts';
import { openPostgres } from '../store/db.ts';
import { migrate } from '../store/migrate.ts';
import { grantServingRole, roleOfUrl } from '../store/roles.ts';

/**
 * Migrates as the owner; when the registry serves as another PostgreSQL role (DATABASE_URL
 * beside MIGRATION_DATABASE_URL), grants that role its rights on every table afterwards,
 * audit_log only to read and append.
 */
export async function migrateAndGrant(owner: Db, servingUrl?: string): Promise<string[]> {
  const applied = await migrate(owner);
  if (servingUrl && owner.kind === 'postgres') {
    const role = roleOfUrl(servingUrl);
    await owner.transaction((tx) => grantServingRole(tx, role));
  }
  return applied;
}

/** Migrates through MIGRATION_DATABASE_URL and grants DATABASE_URL's role; returns the names applied. */
export async function migrateAsOwner(migrationUrl: string, servingUrl: string): Promise<string[]> {
  const owner = await openPostgres(migrationUrl);
  try {
    return await migrateAndGrant(owner, servingUrl);
  } finally {
    await owner.close();
  }
}
