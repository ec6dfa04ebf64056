-- People and access: invitations and password resets, two-factor sign-in, sign-in throttling
-- held in the database (so it holds across processes), and what the admin sees of each user.

-- An invited user has no password until they set one from their link.
alter table users alter column password_hash drop not null;
alter table users add column last_sign_in_at timestamptz;
-- RFC 6238 secret (base32); the pending one waits for the first code that proves the app has it.
alter table users add column totp_secret text;
alter table users add column totp_pending_secret text;
-- The last 30-second step a code was accepted for: a code works once.
alter table users add column totp_last_step bigint;

alter table sites add column require_two_factor boolean not null default false;

alter table sessions add column client_address text;
alter table sessions add column user_agent text;
-- A session opened while the site requires two-factor sign-in and the user has not enrolled:
-- it can only enrol, see itself and sign out.
alter table sessions add column must_enrol_two_factor boolean not null default false;

-- Single-use links (invitation, password reset): only the SHA-256 of the token is stored.
create table account_tokens (
  token_digest text primary key,
  user_id uuid not null references users (id) on delete cascade,
  purpose text not null check (purpose in ('invite', 'reset')),
  created_at timestamptz not null,
  expires_at timestamptz not null,
  used_at timestamptz
);
create index account_tokens_user_idx on account_tokens (user_id);

-- After the password, a signed-in-to-be user proves the second factor within minutes.
create table sign_in_challenges (
  token_digest text primary key,
  user_id uuid not null references users (id) on delete cascade,
  client_address text,
  expires_at timestamptz not null
);

create table recovery_codes (
  user_id uuid not null references users (id) on delete cascade,
  code_digest text not null,
  used_at timestamptz,
  primary key (user_id, code_digest)
);

-- Failed sign-ins per key (an account, or an account from one address) and when the last was.
create table sign_in_throttle (
  key text primary key,
  failures integer not null,
  last_failure_at timestamptz not null
);

-- Set when `stemtrack start --demo` seeds the invented registry: only then do demo accounts exist.
create table registry_flags (
  name text primary key,
  set_at timestamptz not null default now()
);
