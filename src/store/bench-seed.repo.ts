import type { Db, Queryable } from './db.ts';

/** Tables holding a patient's record, parents first; each has patient_id (patients: id). */
const PATIENT_TABLES = [
  'patients',
  'patient_identities',
  'joint_episodes',
  'treatments',
  'survey_assignments',
  'responses',
  'response_scores',
  'patient_events',
  'adverse_events',
  // Derived, but a copy's first scores are the original's: copied rather than recomputed.
  'outcome_joint_scores',
] as const;

/** The derived tables' whole-registry rebuilds, run once after a copy without triggers. */
const REBUILDS = [
  'outcome_sums_rebuild',
  'episode_follow_up_rebuild',
  'outreach_counts_rebuild',
] as const;

/** Columns holding a row id of one of these tables: mapped to the copy's id. */
const ID_COLUMNS = new Set([
  'id',
  'patient_id',
  'episode_id',
  'treatment_id',
  'assignment_id',
  'response_id',
]);

/** Drops the patient tables' indexes that back no constraint; returns their definitions. */
async function dropPlainIndexes(q: Queryable): Promise<string[]> {
  const indexes = await q.query<{ name: string; definition: string }>(
    `select quote_ident(c.relname) as name, pg_get_indexdef(i.indexrelid) as definition
     from pg_index i join pg_class c on c.oid = i.indexrelid
     join pg_class t on t.oid = i.indrelid and t.relnamespace = to_regnamespace(current_schema())
     where t.relname = any($1::text[])
       and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid)`,
    [[...PATIENT_TABLES]],
  );
  for (const index of indexes) await q.exec(`drop index ${index.name}`);
  return indexes.map((index) => index.definition);
}

/**
 * Grows a seeded registry for benchmarks: `copies` more copies of every patient's record, in
 * set-based `insert … select` statements (one per table and batch of copies), with ids derived
 * from the original's (md5 of id and copy number), registry ids and link digests made unique,
 * and each copy's BMI and cell dose varied so cohorts spread as a large registry's would.
 * Triggers are off during the copy where the role may do so (a superuser's
 * session_replication_role); the derived tables are then rebuilt once, set-based.
 * Returns whether the triggers could be switched off, the copies' seconds and each rebuild's.
 */
export async function replicateRegistry(
  db: Db,
  copies: number,
  progress: (done: number) => void = () => {},
  rebuilding: (rebuild: string) => void = () => {},
): Promise<{
  triggersOff: boolean;
  copySeconds: number;
  rebuilds: { rebuild: string; seconds: number }[];
}> {
  const columns = new Map<string, string[]>();
  for (const table of PATIENT_TABLES) {
    const rows = await db.query<{ name: string }>(
      `select column_name as name from information_schema.columns
       where table_schema = current_schema() and table_name = $1 and is_generated = 'NEVER'
       order by ordinal_position`,
      [table],
    );
    columns.set(
      table,
      rows.map((r) => r.name),
    );
  }
  const [role] = await db.query<{ superuser: boolean }>(
    `select rolsuper as superuser from pg_roles where rolname = current_user`,
  );
  const triggersOff = role?.superuser === true;
  await db.exec(`drop table if exists bench_template;
    create table bench_template as select id from patients;
    create index on bench_template (id);`);
  const expression = (table: string, column: string): string => {
    if (ID_COLUMNS.has(column)) return `md5(t.${column}::text || ':' || c)::uuid`;
    if (table === 'patients' && column === 'registry_id') return `t.registry_id || '-' || c`;
    if (column === 'token_digest') return `md5(t.token_digest || ':' || c)`;
    // Varied per copy within the column's checks (BMI 10–80), so cohort keys spread.
    if (column === 'bmi')
      return `case when t.bmi is null then null else least(79.9, greatest(10.1, t.bmi * (0.85 + 0.3 * random()))) end`;
    if (column === 'cell_dose_millions')
      return `case when t.cell_dose_millions is null then null else t.cell_dose_millions * (0.7 + 0.6 * random()) end`;
    return `t.${column}`;
  };
  // Without triggers, every copy in one statement per table (each statement reads the
  // originals once); with them, a few copies a statement keep their transition tables small.
  const batch = triggersOff ? copies : 4;
  const copying = performance.now();
  for (let first = 1; first <= copies; first += batch) {
    const last = Math.min(copies, first + batch - 1);
    await db.transaction(async (q) => {
      // Indexes that back no constraint are built once after the copy rather than entry by
      // entry during it; in the same transaction, so a failed copy leaves them as they were.
      const rebuiltIndexes = triggersOff ? await dropPlainIndexes(q) : [];
      if (triggersOff)
        await q.query(`select set_config('session_replication_role', 'replica', true)`);
      // With triggers on, they keep each joint's first scores themselves.
      for (const table of PATIENT_TABLES.filter(
        (t) => triggersOff || t !== 'outcome_joint_scores',
      )) {
        const cols = columns.get(table) ?? [];
        const owner =
          table === 'patients'
            ? 't.id in (select id from bench_template)'
            : table === 'outcome_joint_scores'
              ? 't.episode_id in (select e.id from joint_episodes e join bench_template b on b.id = e.patient_id)'
              : 't.patient_id in (select id from bench_template)';
        await q.query(
          `insert into ${table} (${cols.join(', ')})
           select ${cols.map((c) => expression(table, c)).join(', ')}
           from ${table} t cross join generate_series(${first}, ${last}) c
           where ${owner}`,
        );
      }
      for (const definition of rebuiltIndexes) await q.exec(definition);
    });
    progress(last);
  }
  const copySeconds = (performance.now() - copying) / 1000;
  await db.exec('drop table bench_template');
  // What the triggers on joints, treatments and scores would have kept: the dashboard sums.
  const rebuilds: { rebuild: string; seconds: number }[] = [];
  if (triggersOff)
    for (const rebuild of REBUILDS) {
      rebuilding(rebuild);
      const started = performance.now();
      await db.query(`select ${rebuild}()`);
      rebuilds.push({ rebuild, seconds: (performance.now() - started) / 1000 });
    }
  await db.exec('analyze');
  return { triggersOff, copySeconds, rebuilds };
}

/**
 * For the dashboard benchmark: as if `joints` joints of a site (the first by id) had each
 * answered a 60-month questionnaire, their kept scores get a 60-month value (their 12-month
 * one, else the latest before it), which moves every row of theirs to another visit pattern;
 * `given: false` takes every 60-month value of theirs away, which the demo registry (treated in
 * the last 4 years) has none of. Only the kept per-joint scores change, not the answers, so a
 * benchmark that gives must take back. The next dashboard read adds their changes to the kept
 * sums (migrations 0118, 0119); the next fold folds them.
 */
export async function setSixtyMonthScores(
  db: Queryable,
  siteId: string,
  joints: number,
  given: boolean,
): Promise<number> {
  const rows = await db.query(
    `update outcome_joint_scores o
     set scores[9] = case when $3 then coalesce(o.scores[5], o.scores[4], o.scores[3], o.scores[2], o.scores[1]) end
     where o.episode_id in (select e.id from joint_episodes e where e.site_id = $1 order by e.id limit $2)
       and o.site_id = $1 and (o.scores[9] is null) = $3
     returning 1`,
    [siteId, joints, given],
  );
  return rows.length;
}

/** For the dashboard benchmark: notes `joints` joints of a site for the next fold, unchanged. */
export async function noteJointsForFold(db: Queryable, siteId: string, joints: number) {
  await db.query(
    `insert into outcome_sums_pending (episode_id, site_id)
     select id, site_id from joint_episodes where site_id = $1 order by id limit $2`,
    [siteId, joints],
  );
}

/**
 * Removes the planner statistics of the registry's tables, as if none had ever been analyzed:
 * what an embedded registry that grew without ANALYZE plans with (PGlite has no autovacuum).
 * Needs a superuser, as the benchmarks' databases have.
 */
export async function forgetPlannerStatistics(db: Queryable): Promise<void> {
  await db.exec(
    `delete from pg_statistic
     where starelid in (select oid from pg_class where relnamespace = current_schema()::regnamespace);
     update pg_class set reltuples = -1, relpages = 0
     where relnamespace = current_schema()::regnamespace and relkind = 'r';`,
  );
}
