-- Values that identify a person (a corrected name or birth date, old and new; a free text
-- removed as entered in error) are kept apart from the audit row, which holds only their
-- salted digest. Erasing a patient (GDPR Art. 17) deletes these rows; the audit row, and any
-- hash over it, stays whole and still proves what was there.
alter table audit_log add column personal_digest text;

create table audit_personal_values (
  audit_id bigint primary key references audit_log (id),
  site_id uuid not null references sites (id),
  patient_id uuid,
  salt text not null,
  personal text not null
);
create index audit_personal_values_patient_idx on audit_personal_values (patient_id);
