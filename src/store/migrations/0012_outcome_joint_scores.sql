-- One row per treated joint and questionnaire scale with its first score at each follow-up
-- time point, kept up to date by a trigger on response_scores. The dashboards aggregate
-- these rows (one per joint) instead of every answer: at 100,000 patients that is a few
-- hundred thousand rows rather than two million scores. Derived data: backups leave it out
-- and a restore rebuilds it through the same trigger.
create table outcome_joint_scores (
  episode_id uuid not null references joint_episodes (id) on delete cascade,
  instrument_id text not null,
  scale text not null,
  site_id uuid not null references sites (id),
  -- Slots in the order of the default schedule: baseline, w6, m3, m6, m12, m24, m36, m48, m60.
  scores double precision[] not null,
  -- When each slot's answer was submitted; the earliest answer of a time point wins.
  answered_at timestamptz[] not null,
  primary key (episode_id, instrument_id, scale)
);
create index outcome_joint_scores_site_idx on outcome_joint_scores (site_id, instrument_id, scale);

-- Folds the scores of one INSERT statement into the per-joint rows in one set-based upsert
-- (a statement trigger: a per-row trigger cost the survey endpoint 40% of its throughput).
create function outcome_joint_scores_add() returns trigger language plpgsql as $$
begin
  insert into outcome_joint_scores as o (episode_id, instrument_id, scale, site_id, scores, answered_at)
  select episode_id, instrument_id, scale, site_id, array[v1, v2, v3, v4, v5, v6, v7, v8, v9], array[a1, a2, a3, a4, a5, a6, a7, a8, a9]
  from (
    select episode_id, instrument_id, scale, site_id,
         max(value) filter (where k = 1) as v1,
         max(value) filter (where k = 2) as v2,
         max(value) filter (where k = 3) as v3,
         max(value) filter (where k = 4) as v4,
         max(value) filter (where k = 5) as v5,
         max(value) filter (where k = 6) as v6,
         max(value) filter (where k = 7) as v7,
         max(value) filter (where k = 8) as v8,
         max(value) filter (where k = 9) as v9,
         min(submitted_at) filter (where k = 1) as a1,
         min(submitted_at) filter (where k = 2) as a2,
         min(submitted_at) filter (where k = 3) as a3,
         min(submitted_at) filter (where k = 4) as a4,
         min(submitted_at) filter (where k = 5) as a5,
         min(submitted_at) filter (where k = 6) as a6,
         min(submitted_at) filter (where k = 7) as a7,
         min(submitted_at) filter (where k = 8) as a8,
         min(submitted_at) filter (where k = 9) as a9
    from (
      select distinct on (r.episode_id, n.instrument_id, n.scale, p.k)
             r.episode_id, n.instrument_id, n.scale, r.site_id, p.k, n.value, r.submitted_at
      from inserted n
      join responses r on r.id = n.response_id
      cross join lateral (select array_position(array['baseline', 'w6', 'm3', 'm6', 'm12', 'm24', 'm36', 'm48', 'm60'], r.timepoint) as k) p
      where p.k is not null
      order by r.episode_id, n.instrument_id, n.scale, p.k, r.submitted_at, r.id
    ) first_per_slot
    group by episode_id, instrument_id, scale, site_id
  ) per_joint
  on conflict (episode_id, instrument_id, scale) do update set
    scores = array[
      case when excluded.answered_at[1] < coalesce(o.answered_at[1], 'infinity') then excluded.scores[1] else o.scores[1] end,
      case when excluded.answered_at[2] < coalesce(o.answered_at[2], 'infinity') then excluded.scores[2] else o.scores[2] end,
      case when excluded.answered_at[3] < coalesce(o.answered_at[3], 'infinity') then excluded.scores[3] else o.scores[3] end,
      case when excluded.answered_at[4] < coalesce(o.answered_at[4], 'infinity') then excluded.scores[4] else o.scores[4] end,
      case when excluded.answered_at[5] < coalesce(o.answered_at[5], 'infinity') then excluded.scores[5] else o.scores[5] end,
      case when excluded.answered_at[6] < coalesce(o.answered_at[6], 'infinity') then excluded.scores[6] else o.scores[6] end,
      case when excluded.answered_at[7] < coalesce(o.answered_at[7], 'infinity') then excluded.scores[7] else o.scores[7] end,
      case when excluded.answered_at[8] < coalesce(o.answered_at[8], 'infinity') then excluded.scores[8] else o.scores[8] end,
      case when excluded.answered_at[9] < coalesce(o.answered_at[9], 'infinity') then excluded.scores[9] else o.scores[9] end
    ],
    answered_at = array[
      case when excluded.answered_at[1] < coalesce(o.answered_at[1], 'infinity') then excluded.answered_at[1] else o.answered_at[1] end,
      case when excluded.answered_at[2] < coalesce(o.answered_at[2], 'infinity') then excluded.answered_at[2] else o.answered_at[2] end,
      case when excluded.answered_at[3] < coalesce(o.answered_at[3], 'infinity') then excluded.answered_at[3] else o.answered_at[3] end,
      case when excluded.answered_at[4] < coalesce(o.answered_at[4], 'infinity') then excluded.answered_at[4] else o.answered_at[4] end,
      case when excluded.answered_at[5] < coalesce(o.answered_at[5], 'infinity') then excluded.answered_at[5] else o.answered_at[5] end,
      case when excluded.answered_at[6] < coalesce(o.answered_at[6], 'infinity') then excluded.answered_at[6] else o.answered_at[6] end,
      case when excluded.answered_at[7] < coalesce(o.answered_at[7], 'infinity') then excluded.answered_at[7] else o.answered_at[7] end,
      case when excluded.answered_at[8] < coalesce(o.answered_at[8], 'infinity') then excluded.answered_at[8] else o.answered_at[8] end,
      case when excluded.answered_at[9] < coalesce(o.answered_at[9], 'infinity') then excluded.answered_at[9] else o.answered_at[9] end
    ];
  return null;
end;
$$;
create trigger response_scores_outcome_joint_scores after insert on response_scores
  referencing new table as inserted
  for each statement execute function outcome_joint_scores_add();

-- Existing answers, the earliest per joint, scale and time point.
insert into outcome_joint_scores (episode_id, instrument_id, scale, site_id, scores, answered_at)
select episode_id, instrument_id, scale, site_id, array[v1, v2, v3, v4, v5, v6, v7, v8, v9], array[a1, a2, a3, a4, a5, a6, a7, a8, a9]
from (
  select episode_id, instrument_id, scale, site_id,
         max(value) filter (where k = 1) as v1,
         max(value) filter (where k = 2) as v2,
         max(value) filter (where k = 3) as v3,
         max(value) filter (where k = 4) as v4,
         max(value) filter (where k = 5) as v5,
         max(value) filter (where k = 6) as v6,
         max(value) filter (where k = 7) as v7,
         max(value) filter (where k = 8) as v8,
         max(value) filter (where k = 9) as v9,
         min(submitted_at) filter (where k = 1) as a1,
         min(submitted_at) filter (where k = 2) as a2,
         min(submitted_at) filter (where k = 3) as a3,
         min(submitted_at) filter (where k = 4) as a4,
         min(submitted_at) filter (where k = 5) as a5,
         min(submitted_at) filter (where k = 6) as a6,
         min(submitted_at) filter (where k = 7) as a7,
         min(submitted_at) filter (where k = 8) as a8,
         min(submitted_at) filter (where k = 9) as a9
  from (
    select distinct on (r.episode_id, s.instrument_id, s.scale, p.k)
           r.episode_id, s.instrument_id, s.scale, r.site_id, p.k, s.value, r.submitted_at
    from response_scores s
    join responses r on r.id = s.response_id
    cross join lateral (select array_position(array['baseline', 'w6', 'm3', 'm6', 'm12', 'm24', 'm36', 'm48', 'm60'], r.timepoint) as k) p
    where p.k is not null
    order by r.episode_id, s.instrument_id, s.scale, p.k, r.submitted_at, r.id
  ) first_per_slot
  group by episode_id, instrument_id, scale, site_id
) per_joint;
