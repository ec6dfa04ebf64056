-- Exact age in whole years on the treatment date, kept beside the treatment so cohorts filter
-- on it without reading identities. Birthdays count on the day (29 Feb counts on 1 Mar in
-- other years), as core/registry/dates.ts ageOn() does; the report and the export agree.
alter table treatments add column age_at_treatment smallint;

create function age_in_years(birth date, on_date date) returns int language sql immutable as $$
  select extract(year from on_date)::int - extract(year from birth)::int
    - case when (extract(month from on_date), extract(day from on_date))
                < (extract(month from birth), extract(day from birth)) then 1 else 0 end
$$;

-- A restore may insert treatments before their identity: keep the value it brings then.
create function treatments_age_at_treatment() returns trigger language plpgsql as $$
begin
  new.age_at_treatment := coalesce(
    (select age_in_years(i.date_of_birth, new.treatment_date)
       from patient_identities i where i.patient_id = new.patient_id),
    new.age_at_treatment);
  return new;
end $$;
create trigger treatments_age_at_treatment before insert or update of treatment_date, patient_id
  on treatments for each row execute function treatments_age_at_treatment();

-- A corrected birth date moves the age at every treatment of the patient.
create function identities_age_at_treatment() returns trigger language plpgsql as $$
begin
  update treatments set age_at_treatment = age_in_years(new.date_of_birth, treatment_date)
    where patient_id = new.patient_id
      and age_at_treatment is distinct from age_in_years(new.date_of_birth, treatment_date);
  return null;
end $$;
create trigger identities_age_at_treatment after insert or update of date_of_birth
  on patient_identities for each row execute function identities_age_at_treatment();

update treatments t set age_at_treatment = age_in_years(i.date_of_birth, t.treatment_date)
  from patient_identities i where i.patient_id = t.patient_id;
