-- An exhaustive schema for realtime-gen's golden tests: every column type PostgreSQL has,
-- user types of each kind, odd names, keys of each shape, partitions, LIKE and comments.
\set ON_ERROR_STOP on

create extension if not exists citext with schema extensions;
create schema if not exists audit;
create schema if not exists app;

create type public.mood as enum ('happy', 'sad', 'in between');
alter type public.mood add value 'ecstatic' after 'happy';
create type app."Weird Status" as enum ('on', 'off', 'it''s complicated');
comment on type app."Weird Status" is 'How a thing is, if anyone knows.';

create domain public.posint as integer not null check (value > 0);
create domain public.email as text check (value like '%@%');
create domain public.labels as text[];
create domain public.smallpos as posint;

create type public.address as (street text, zip integer, location point);
comment on type public.address is 'A postal address.';
create type app.place as (home public.address, nicknames text[]);

create table public.todos (
  id bigint generated always as identity primary key,
  user_id uuid not null,
  title text not null,
  done boolean not null default false,
  priority posint,
  mood mood,
  moods mood[],
  labels labels,
  address address,
  due date,
  inserted_at timestamptz not null default now(),
  total numeric generated always as (coalesce(priority, 0) * 1.5) stored
);
comment on table public.todos is 'What there is to do.';
comment on column public.todos.title is 'Short and to the point. May hold "quotes" and \backslashes.';

create table audit.events (
  id bigserial primary key,
  at timestamptz not null default now(),
  actor email,
  payload jsonb,
  place app.place
);

create table public.all_types (
  id serial primary key,
  c_smallint smallint,
  c_integer integer not null,
  c_bigint bigint,
  c_real real,
  c_double double precision,
  c_numeric numeric,
  c_money_like numeric(12, 2),
  c_money money,
  c_text text,
  c_varchar varchar(20),
  c_char char(5),
  c_char1 character,
  c_internal_char "char",
  c_name name,
  c_citext extensions.citext,
  c_bytea bytea,
  c_bool bool,
  c_date date,
  c_time time,
  c_timetz time with time zone,
  c_timestamp timestamp(3),
  c_timestamptz timestamptz,
  c_interval interval day to second,
  c_uuid uuid,
  c_json json,
  c_jsonb jsonb,
  c_inet inet,
  c_cidr cidr,
  c_macaddr macaddr,
  c_macaddr8 macaddr8,
  c_bit bit(4),
  c_bit1 bit,
  c_varbit bit varying(8),
  c_tsvector tsvector,
  c_tsquery tsquery,
  c_point point,
  c_box box,
  c_circle circle,
  c_int4range int4range,
  c_tstzrange tstzrange,
  c_int4multirange int4multirange,
  c_xml xml,
  c_oid oid,
  c_pg_lsn pg_lsn,
  c_regclass regclass,
  c_jsonpath jsonpath,
  c_bytea_array bytea[],
  c_jsonb_array jsonb[],
  c_timestamptz_array timestamptz[],
  c_int_matrix integer[][],
  c_text_cube text[][][],
  c_smallpos smallpos
);

create table public."Weird Names" (
  "user-id" integer,
  "class" text,
  "model_config" text,
  "schema" text,
  "2fa" boolean,
  "café" text,
  "json" jsonb,
  "Mixed Case" integer,
  "x y" text,
  "x-y" text,
  "copy" text,
  "status" app."Weird Status" not null,
  primary key ("user-id")
);

create table public.no_pk (a integer, b text not null);

create table public.memberships (
  org_id integer,
  user_id uuid,
  role text not null,
  constraint memberships_pkey primary key (org_id, user_id)
);

create table public.measurements (
  city_id integer not null,
  logdate date not null,
  peak_temp integer
) partition by range (logdate);
create table public.measurements_2024 partition of public.measurements
  for values from ('2024-01-01') to ('2025-01-01');

create table public.todo_archive (like public.todos including all);

create table if not exists public.todos (id integer);

create table app.accounts (
  id uuid primary key,
  balance numeric(20, 4) not null,
  ratio double precision not null,
  code char(2) not null
);
