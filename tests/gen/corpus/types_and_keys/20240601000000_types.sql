-- Every spelling of a type that PostgreSQL accepts resolves as its catalog says.
create extension if not exists citext with schema extensions;
create extension if not exists hstore with schema extensions;
create extension if not exists ltree with schema extensions;

create type public.float_range as range (subtype = float8);

create type public.address as (street text, city text, zip varchar(10));

create table public.kitchen_sink (
  id smallserial primary key,
  big bigserial,
  i2 int2,
  i4 integer,
  i8 bigint,
  f4 real,
  f24 float(24),
  f53 float(53),
  f8 double precision,
  d decimal(10),
  n numeric(12, 4),
  m money,
  b boolean,
  c1 char,
  c3 character(3),
  qc "char",
  vc character varying(20),
  vcu varchar,
  t text,
  nm name,
  by bytea,
  bt bit(8),
  vb bit varying(5),
  dt date,
  tm time(0),
  tmtz time with time zone,
  ts timestamp(3) without time zone,
  tstz timestamp(6) with time zone,
  iv interval,
  iv_fields interval day to second(2),
  iv_month interval year to month,
  u uuid,
  j json,
  jb jsonb,
  jp jsonpath,
  x xml,
  ip inet,
  net cidr,
  mac macaddr,
  mac8 macaddr8,
  tv tsvector,
  tq tsquery,
  pt point,
  bx box,
  pg polygon,
  ci circle,
  ir int4range,
  dr daterange,
  tsr tstzrange,
  nmr nummultirange,
  lsn pg_lsn,
  snap pg_snapshot,
  x8 xid8,
  xi xid,
  o oid,
  rc regclass,
  rt regtype,
  fr public.float_range,
  frm public.float_multirange,
  addr public.address,
  addrs public.address[],
  ci_text citext,
  ci_text_q extensions.citext,
  kv extensions.hstore,
  path ltree,
  matrix numeric(4, 1)[][],
  words text array,
  fixed int[3],
  body_search tsvector generated always as (to_tsvector('english', coalesce(t, ''))) stored
);

create table public.typed_rows of public.address (
  street with options not null,
  primary key (street)
);

create unlogged table public.scratch (
  k text primary key,
  v jsonb
);
