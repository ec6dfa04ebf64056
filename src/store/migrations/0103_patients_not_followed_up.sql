-- The patients no longer followed up (deceased, lost to follow-up, withdrawn), found without
-- reading every patient of the site: the worklist reads their joints whole, since core decides
-- their rows (issue 17).
create index patients_not_active_idx on patients (site_id, registry_id) where status <> 'active';
