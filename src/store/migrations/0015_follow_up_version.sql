-- The follow-up worklist is kept per registry version too (src/app/followup.ts). It also
-- depends on which survey links exist, so issuing or deleting one moves the site's version.
-- A submission sets completed_at in the same transaction that inserts its responses, which
-- already move the version; autosaved drafts (frequent) change nothing behind any dashboard.
do $$
declare
  op text;
begin
  foreach op in array array['insert', 'delete'] loop
    execute format(
      'create trigger %I after %s on survey_assignments referencing %s table as changed '
      'for each statement execute function registry_versions_bump()',
      'survey_assignments_registry_version_' || op, op,
      case op when 'delete' then 'old' else 'new' end);
  end loop;
end $$;
