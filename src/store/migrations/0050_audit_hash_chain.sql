-- Tamper evidence for the audit log: every row carries a SHA-256 over all its columns and the
-- hash of the row before it in its chain, computed by a trigger in the inserting transaction,
-- so every insert path (appendAudit, the one-statement survey submission) is covered.
-- `stemtrack audit verify` recomputes every chain outside the database.
--
-- A site has 16 chains (and rows without a site 16 of their own); a transaction appends to the
-- chain a hash of its txid picks. The chain's head row is locked until commit, so writers at
-- one site wait for each other only when they share a chain (one head per site would
-- serialise them all, as migration 0014 found for its counters). The hash of the txid, not
-- txid % 16, so two transactions sharing a registry_versions slot rarely share a chain too:
-- taking both locks in different orders could otherwise deadlock them.
alter table audit_log
  add column chain smallint check (chain between 0 and 15),
  add column chain_seq bigint check (chain_seq > 0),
  add column prev_hash text,
  add column row_hash text;

-- The last row of each chain: where the next row attaches, and what shows that rows were cut
-- off the end. The nil uuid stands for "no site" (gen_random_uuid never makes it).
create table audit_chain_heads (
  site_key uuid not null,
  chain smallint not null check (chain between 0 and 15),
  last_seq bigint not null,
  last_id bigint not null,
  last_hash text not null,
  primary key (site_key, chain)
);

create function audit_field(value text) returns text language sql immutable as $$
  select case when value is null then '-' else octet_length(value)::text || ':' || value end
$$;

-- The canonical text of a row: a version tag, then every column in a fixed order, each as
-- "-" (null) or "<bytes>:<text>", one per line, so no two different rows share a text.
-- src/core/audit/chain.ts builds the same text; audit.int.test.ts checks that every column
-- of audit_log is in it, so a column added later cannot escape the hash.
create function audit_row_text(r audit_log) returns text language sql stable as $$
  select concat_ws(E'\n', 'stemtrack-audit-1',
    audit_field(r.id::text),
    audit_field(to_char(r.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')),
    audit_field(r.site_id::text),
    audit_field(r.actor_kind),
    audit_field(r.actor_user_id::text),
    audit_field(r.action),
    audit_field(r.entity),
    audit_field(r.entity_id),
    audit_field(r.patient_id::text),
    audit_field(r.detail::text),
    audit_field(r.personal_digest),
    audit_field(r.chain::text),
    audit_field(r.chain_seq::text),
    audit_field(r.prev_hash))
$$;

create function audit_row_hash(r audit_log) returns text language sql stable as $$
  select encode(sha256(convert_to(audit_row_text(r), 'UTF8')), 'hex')
$$;

-- Existing rows: one chain (0) per site, in id order.
alter table audit_log disable trigger audit_log_no_change;
do $$
declare
  r audit_log;
  key uuid;
  heads jsonb := '{}';
  head jsonb;
begin
  for r in select * from audit_log order by id loop
    key := coalesce(r.site_id, '00000000-0000-0000-0000-000000000000');
    head := heads -> key::text;
    r.chain := 0;
    r.chain_seq := coalesce((head ->> 'seq')::bigint, 0) + 1;
    r.prev_hash := coalesce(head ->> 'hash', repeat('0', 64));
    r.row_hash := audit_row_hash(r);
    update audit_log set chain = r.chain, chain_seq = r.chain_seq, prev_hash = r.prev_hash,
                         row_hash = r.row_hash
      where id = r.id;
    heads := heads || jsonb_build_object(key::text,
      jsonb_build_object('seq', r.chain_seq, 'hash', r.row_hash, 'id', r.id));
  end loop;
  insert into audit_chain_heads (site_key, chain, last_seq, last_id, last_hash)
    select h.key::uuid, 0, (h.value ->> 'seq')::bigint, (h.value ->> 'id')::bigint, h.value ->> 'hash'
    from jsonb_each(heads) h;
end $$;
alter table audit_log enable trigger audit_log_no_change;

alter table audit_log
  alter column chain set not null,
  alter column chain_seq set not null,
  alter column prev_hash set not null,
  alter column row_hash set not null;
-- The admins' audit page reads a site's log newest first.
create index audit_log_site_idx on audit_log (site_id, id);
create unique index audit_log_chain_idx on audit_log
  (coalesce(site_id, '00000000-0000-0000-0000-000000000000'), chain, chain_seq);

-- A new row takes its chain's head (locking it until commit), a fresh id taken after that lock
-- (so ids rise along each chain, and a verifier reading in id order sees each chain in order),
-- and its hash. A row that arrives with its chain columns set (a restore) keeps them and
-- becomes its chain's head: `stemtrack audit verify` checks it like any other row. Runs as
-- the table's owner, so the role that serves requests needs no rights on the heads.
create function audit_log_chain() returns trigger language plpgsql security definer
set search_path from current as $$
declare
  key uuid := coalesce(new.site_id, '00000000-0000-0000-0000-000000000000');
  head audit_chain_heads;
begin
  if new.row_hash is not null then
    if not pg_has_role(session_user, (select relowner from pg_class where oid = 'audit_log'::regclass), 'member') then
      raise exception 'only the owner of audit_log may insert rows with their chain (a restore)';
    end if;
    insert into audit_chain_heads as h (site_key, chain, last_seq, last_id, last_hash)
      values (key, new.chain, new.chain_seq, new.id, new.row_hash)
      on conflict (site_key, chain) do update
        set last_seq = excluded.last_seq, last_id = excluded.last_id, last_hash = excluded.last_hash;
    return new;
  end if;
  new.chain := hashint8(txid_current()) & 15;
  select * into head from audit_chain_heads where site_key = key and chain = new.chain for update;
  if not found then
    insert into audit_chain_heads (site_key, chain, last_seq, last_id, last_hash)
      values (key, new.chain, 0, 0, repeat('0', 64))
      on conflict do nothing;
    select * into head from audit_chain_heads where site_key = key and chain = new.chain for update;
  end if;
  new.id := nextval(pg_get_serial_sequence('audit_log', 'id'));
  new.chain_seq := head.last_seq + 1;
  new.prev_hash := head.last_hash;
  new.row_hash := audit_row_hash(new);
  update audit_chain_heads set last_seq = new.chain_seq, last_id = new.id, last_hash = new.row_hash
    where site_key = key and chain = new.chain;
  return new;
end $$;
create trigger audit_log_chain before insert on audit_log
  for each row execute function audit_log_chain();
