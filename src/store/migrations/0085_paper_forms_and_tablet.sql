-- Paper questionnaires and the clinic tablet (issue 15).

-- A printed form for one survey link: the short code staff type to find it when it comes back,
-- and the digest of the link its QR code opens (a second link to the same survey, so printing
-- does not stop an e-mailed or texted link from working). Printing again keeps the code and
-- replaces the QR link.
create table paper_forms (
  assignment_id uuid primary key references survey_assignments (id) on delete cascade,
  site_id uuid not null references sites (id),
  short_code text not null check (short_code ~ '^[0-9A-HJKMNP-TV-Z]{8}$'),
  token_digest text not null unique,
  printed_by uuid not null references users (id),
  printed_at timestamptz not null,
  unique (site_id, short_code)
);

-- What each staff member typed from a returned form, before it is recorded: one entry (then
-- recorded at once) or two by different people (REDCap's double data entry), compared item by
-- item; mismatches are resolved before the answers are scored.
create table paper_entries (
  id uuid primary key default gen_random_uuid(),
  site_id uuid not null references sites (id),
  assignment_id uuid not null references paper_forms (assignment_id) on delete cascade,
  -- First or second entry: unique, so two people entering at once cannot make a third.
  entry smallint not null check (entry in (1, 2)),
  entered_by uuid not null references users (id),
  entered_at timestamptz not null,
  answers jsonb not null,
  unique (assignment_id, entered_by),
  unique (assignment_id, entry)
);

-- Answers given on the web through a paper form's QR code are their own mode.
alter table responses drop constraint responses_mode_check;
alter table responses add constraint responses_mode_check
  check (mode in ('web-email', 'web-sms', 'web-qr', 'phone', 'paper', 'tablet'));
