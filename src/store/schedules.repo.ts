import type { ScheduleWindows } from '../core/schedule/custom.ts';
import type { Queryable } from './db.ts';
import type { SiteScope } from './scope.ts';

export async function siteWindows(q: Queryable, scope: SiteScope): Promise<ScheduleWindows> {
  const rows = await q.query<{ windows: ScheduleWindows }>(
    'select windows from site_schedules where site_id = $1',
    [scope.siteId],
  );
  return rows[0]?.windows ?? [];
}

export async function saveSiteWindows(
  q: Queryable,
  scope: SiteScope,
  windows: ScheduleWindows,
  userId: string,
): Promise<void> {
  await q.query(
    `insert into site_schedules (site_id, windows, updated_by) values ($1, $2::jsonb, $3)
     on conflict (site_id) do update set windows = excluded.windows, updated_by = excluded.updated_by, updated_at = now()`,
    [scope.siteId, JSON.stringify(windows), userId],
  );
}
