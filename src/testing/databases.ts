import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { type Db, openPglite, openPostgres } from '../store/db.ts';
import { migrate } from '../store/migrate.ts';
import { seedTwoSites } from './http.ts';

export interface Backend {
  name: 'pglite' | 'postgres';
  /** A new, empty database, migrated unless asked not to be; `close()` drops it. */
  open(options?: { migrated?: boolean }): Promise<Db>;
}

const pglite: Backend = {
  name: 'pglite',
  async open({ migrated = true } = {}) {
    const db = await openPglite();
    if (migrated) await migrate(db);
    return db;
  },
};

function postgres(adminUrl: string): Backend {
  return {
    name: 'postgres',
    async open({ migrated = true } = {}) {
      const name = `stemtrack_test_${randomBytes(6).toString('hex')}`;
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      await admin.query(`create database ${name}`);
      await admin.end();
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      const db = await openPostgres(url.toString());
      if (migrated) await migrate(db);
      return {
        ...db,
        async close() {
          await db.close();
          const dropper = new pg.Client({ connectionString: adminUrl });
          await dropper.connect();
          await dropper.query(`drop database if exists ${name} with (force)`);
          await dropper.end();
        },
      };
    },
  };
}

/** Every database the integration suite runs against: PGlite always, PostgreSQL when provided. */
export function backends(): Backend[] {
  const url = inject('postgresUrl');
  return url ? [pglite, postgres(url)] : [pglite];
}

/**
 * The suite's database: opened on `backend` and seeded with the two test sites before its
 * tests, closed (and dropped) after them.
 */
export function twoSiteDatabase(
  backend: Backend,
  options: { admin?: boolean } = {},
): { readonly db: Db } {
  let db: Db | undefined;
  beforeAll(async () => {
    db = await backend.open();
    await seedTwoSites(db, options);
  });
  afterAll(async () => {
    await db?.close();
  });
  return {
    get db() {
      if (!db) throw new Error('the database opens in beforeAll');
      return db;
    },
  };
}
