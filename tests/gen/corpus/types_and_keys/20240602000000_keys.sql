-- Keys and replica identities reached by every route.
create table public.accounts (
  id bigint generated always as identity,
  email citext not null unique,
  handle text not null,
  nickname text
);

alter table public.accounts add constraint accounts_pkey primary key (id);

alter table public.accounts rename constraint accounts_pkey to accounts_primary;

alter table public.accounts replica identity using index accounts_email_key;

alter index public.accounts_email_key rename to accounts_email_uniq;

create unique index accounts_handle_idx on public.accounts (handle);

alter table public.accounts drop constraint accounts_primary;

alter table public.accounts add primary key using index accounts_handle_idx;

alter table public.accounts alter column id drop identity;

create table public.sessions (
  user_id uuid not null,
  device text not null,
  started_at timestamptz not null default now(),
  token text
);

create unique index sessions_user_device_idx on public.sessions (user_id, device);

alter table public.sessions add constraint sessions_pkey primary key using index sessions_user_device_idx;

alter table public.sessions replica identity using index sessions_pkey;

create table public.pairs (a int not null, b int not null, note text);

create unique index pairs_ab on public.pairs (a, b);

alter table public.pairs replica identity using index pairs_ab;

alter table public.pairs rename column a to left_id;

create table public.copies (like public.pairs including all);

create table public.copies_plain (like public.accounts);

create table public.parent_rows (id int primary key, label text);

create table public.child_rows (extra text) inherits (public.parent_rows);

alter table public.parent_rows add column added_later date;


alter table public.parent_rows rename column label to title;

alter table public.child_rows no inherit public.parent_rows;

alter table public.parent_rows add column after_split bool;

create schema private;

create table private.secrets (id uuid primary key, value text not null);

create type private.level as enum ('low', 'high');

alter table private.secrets add column lvl private.level;

alter schema private rename to internal;

create schema doomed;

create table doomed.gone (id int primary key);

drop schema doomed cascade;

create table public.one (id int primary key);
create table public.two (id int primary key);
drop table public.one, public.two cascade;

create domain public.positive_int as int check (value > 0);
alter domain public.positive_int set not null;

create table public.counters (
  name text primary key,
  hits public.positive_int,
  misses public.positive_int
);

alter domain public.positive_int drop not null;

alter table public.counters alter column misses type bigint;

alter type public.address set schema internal;

alter table public.scratch set logged;

create unlogged table public.cache_entries (key text primary key, body bytea);
