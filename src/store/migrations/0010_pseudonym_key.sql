-- A secret per registry from which de-identified exports derive each patient's study id
-- and date shift, so the same patient keeps the same pseudonym across exports.
alter table sites
  add column pseudonym_key text not null default (gen_random_uuid()::text || gen_random_uuid()::text);
