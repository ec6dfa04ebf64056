-- Instrument translations a registry imports (issue 15): one language's wording for an
-- instrument's own item codes and answer values, checked against the instrument before storing.
create table instrument_translations (
  instrument text not null,
  language text not null check (language ~ '^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$' and length(language) <= 35),
  translation jsonb not null,
  imported_at timestamptz not null default now(),
  imported_from text not null,
  primary key (instrument, language)
);
