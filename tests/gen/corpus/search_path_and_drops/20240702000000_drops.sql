create table public.devices (
  id uuid not null,
  serial text not null,
  firmware text,
  constraint devices_pkey primary key (id)
);

create unique index devices_serial_idx on public.devices (serial);

alter table public.devices replica identity using index devices_serial_idx;

alter table public.devices rename column serial to serial_number;

alter table public.devices rename to hardware;

alter table public.hardware drop constraint devices_pkey;

create table public.readings (
  id bigint primary key,
  device uuid,
  code text not null,
  value numeric
);

create unique index readings_code_idx on public.readings (code);

alter table public.readings replica identity using index readings_code_idx;

alter table public.readings drop column code;

create type public.mood as enum ('up', 'down');

create table public.journal (
  id int primary key,
  mood public.mood,
  note text
);

drop type public.mood cascade;

create table public.gone_key (id int primary key, v text);

alter table public.gone_key drop column id;

alter table public.readings replica identity default;

alter table public.readings replica identity nothing;
