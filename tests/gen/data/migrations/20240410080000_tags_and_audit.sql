-- Domains, composite types, a rename of a table and of a type, a table-level primary key.
create domain public.tag as text check (value ~ '^[a-z-]+$');
create type public.geo_point as (lat double precision, lng double precision);

create table public.todo_tags (
  todo_id bigint not null references public.todos (id) on delete cascade,
  tag public.tag not null,
  added_at timestamptz not null default now()
);
alter table only public.todo_tags
  add constraint todo_tags_pkey primary key (todo_id, tag);

create table public.places (id int, spot public.geo_point, tags public.tag[]);
alter table public.places add primary key (id);
alter table public.places rename to locations;
alter type public.geo_point rename to coordinates;
comment on column public.locations.spot is 'Where it is.';

create schema if not exists audit;
create table audit.log (
  id bigserial primary key,
  at timestamptz not null default now(),
  entry jsonb not null
);
alter publication supabase_realtime add table audit.log;

create type public.scratch as enum ('a');
drop type public.scratch;
alter table public.todos drop constraint if exists todos_owner_fkey;
