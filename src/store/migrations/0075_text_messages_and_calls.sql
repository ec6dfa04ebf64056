-- Reaching patients beyond e-mail (issue 15): text messages, staff calls, and how each answer
-- was given.

-- The patient's mobile number in E.164 (checked with libphonenumber-js before it is stored),
-- their consent to texts (changed by the clinic or at once by a STOP/START reply), the time
-- zone their quiet hours are kept in, and when they prefer to be called.
alter table patient_identities
  add column mobile text check (mobile ~ '^\+[1-9][0-9]{6,14}$'),
  add column sms_consent text not null default 'none'
    check (sms_consent in ('none', 'opted-in', 'opted-out')),
  add column sms_consent_at timestamptz,
  add column sms_consent_source text
    check (sms_consent_source in ('clinic', 'patient-reply', 'provider')),
  add column time_zone text check (length(time_zone) between 1 and 64),
  add column preferred_call_time text check (length(preferred_call_time) <= 100);
create index patient_identities_mobile_idx on patient_identities (mobile) where mobile is not null;

-- The preferred language becomes a BCP 47 tag ("en", "pt-BR", "zh-Hant"), not only ISO 639-1,
-- so a later translation can name its region or script; existing two-letter codes stay valid.
alter table patient_identities drop constraint patient_identities_language_check;
alter table patient_identities add constraint patient_identities_language_check
  check (language ~ '^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$' and length(language) <= 35);

-- Every contact about a survey: e-mails and texts sent by the jobs (step 0 the invitation, n
-- the n-th reminder) and staff calls with their outcome. Response rates after each message
-- are counted from here.
create table follow_up_contacts (
  id uuid primary key default gen_random_uuid(),
  site_id uuid not null references sites (id),
  patient_id uuid not null references patients (id) on delete cascade,
  assignment_id uuid not null references survey_assignments (id) on delete cascade,
  channel text not null check (channel in ('email', 'sms', 'phone')),
  step integer not null check (step >= 0),
  at timestamptz not null,
  -- The provider's id of a text (Twilio's MessageSid), so its delivery callbacks find it.
  provider_id text unique,
  delivery text check (delivery in ('sent', 'queued', 'delivered', 'undelivered', 'failed')),
  error_code text check (length(error_code) <= 20),
  outcome text check (outcome in ('reached', 'voicemail', 'wrong-number', 'declined')),
  note text check (length(note) <= 500),
  user_id uuid references users (id),
  check ((channel = 'phone') = (outcome is not null))
);
create index follow_up_contacts_assignment_idx on follow_up_contacts (assignment_id, at);
create index follow_up_contacts_site_idx on follow_up_contacts (site_id, channel);
-- The Follow-up page's outreach figures are kept per registry version (migration 0014): a
-- message sent, a delivery status or a call logged moves the site's version on.
create trigger follow_up_contacts_registry_version_insert after insert on follow_up_contacts
  referencing new table as changed for each statement execute function registry_versions_bump();
create trigger follow_up_contacts_registry_version_update after update on follow_up_contacts
  referencing new table as changed for each statement execute function registry_versions_bump();

-- How each answer was given, and which staff member entered it when staff did. Responses
-- recorded before this migration were all given on the web from an e-mailed or handed-out
-- link, so they default to web-email.
alter table responses
  add column mode text not null default 'web-email'
    check (mode in ('web-email', 'web-sms', 'phone', 'paper', 'tablet')),
  add column entered_by uuid references users (id);

-- A short-lived link a staff member opens to answer a patient's survey with them (a phone
-- interview): only its SHA-256 is kept, like survey links; answers through it are recorded
-- with its mode and its user.
create table staff_survey_links (
  token_digest text primary key,
  site_id uuid not null references sites (id),
  assignment_id uuid not null references survey_assignments (id) on delete cascade,
  mode text not null check (mode in ('phone', 'paper', 'tablet')),
  user_id uuid not null references users (id),
  expires_at timestamptz not null,
  created_at timestamptz not null default now()
);
create index staff_survey_links_assignment_idx on staff_survey_links (assignment_id);
