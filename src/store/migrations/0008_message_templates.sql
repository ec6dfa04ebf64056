-- Survey e-mail wording per registry and language; StemTrack's English default applies otherwise.
create table message_templates (
  site_id uuid not null references sites (id),
  language text not null check (language ~ '^[a-z]{2}$'),
  kind text not null check (kind in ('invitation', 'reminder')),
  subject text not null,
  body text not null,
  updated_at timestamptz not null default now(),
  primary key (site_id, language, kind)
);
-- The language a patient reads their e-mails in (ISO 639-1).
alter table patient_identities add column language text not null default 'en' check (language ~ '^[a-z]{2}$');
