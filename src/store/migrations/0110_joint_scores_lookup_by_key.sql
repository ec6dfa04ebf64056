-- The scores trigger finds each new score's response by its key (issue 17's ingest profile).
-- Its plan, cached per connection, joined the new scores to every response by a hash join
-- while the responses table was young and its statistics stale: a sequential scan of all
-- responses per submission (0.85 ms at 1,200 responses, growing with each one). `offset 0`
-- keeps the lookup a per-score index probe whatever the statistics say.

create or replace function outcome_joint_scores_add() returns trigger language plpgsql as $$
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
      cross join lateral (
        select r.id, r.episode_id, r.site_id, r.timepoint, r.submitted_at
        from responses r
        where r.id = n.response_id and r.site_id = n.site_id
        offset 0
      ) r
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
