-- What a Supabase project database has before Realtime touches it: the API roles, the auth
-- helper functions that read the request's JWT claims, auth.users and the storage tables
-- that app migrations reference (foreign keys, triggers, policies), the extensions Supabase
-- installs in `extensions` when this PostgreSQL has them, default grants on the public
-- schema and an empty supabase_realtime publication. Every statement is idempotent.

do $$
declare
  spec record;
begin
  for spec in
    select * from (values
      ('anon', 'nologin noinherit'),
      ('authenticated', 'nologin noinherit'),
      ('service_role', 'nologin noinherit bypassrls'),
      ('authenticator', 'login noinherit'),
      ('supabase_admin', 'login superuser createdb createrole replication bypassrls'),
      ('supabase_realtime_admin', 'nologin noinherit'),
      ('supabase_auth_admin', 'login noinherit createrole'),
      ('dashboard_user', 'nologin createdb createrole replication')
    ) as roles(name, options)
  loop
    if not exists (select from pg_catalog.pg_roles where rolname = spec.name) then
      execute format('create role %I %s', spec.name, spec.options);
    end if;
  end loop;
end
$$;

grant anon, authenticated, service_role to authenticator;

create schema if not exists extensions;
create schema if not exists auth;
create schema if not exists storage;
grant usage on schema public, extensions, auth, storage to anon, authenticated, service_role;

do $$
declare
  wanted text;
begin
  foreach wanted in array array['uuid-ossp', 'pgcrypto'] loop
    if exists (select from pg_catalog.pg_available_extensions where name = wanted) then
      execute format('create extension if not exists %I with schema extensions', wanted);
    end if;
  end loop;
end
$$;

-- The columns of auth.users and of the storage tables that app migrations use.
create table if not exists auth.users (
  instance_id uuid,
  id uuid not null primary key,
  aud varchar(255),
  role varchar(255),
  email varchar(255),
  encrypted_password varchar(255),
  email_confirmed_at timestamptz,
  phone text unique,
  phone_confirmed_at timestamptz,
  last_sign_in_at timestamptz,
  raw_app_meta_data jsonb,
  raw_user_meta_data jsonb,
  is_super_admin boolean,
  is_anonymous boolean not null default false,
  created_at timestamptz,
  updated_at timestamptz,
  deleted_at timestamptz
);

create table if not exists storage.buckets (
  id text not null primary key,
  name text not null,
  owner uuid,
  public boolean default false,
  file_size_limit bigint,
  allowed_mime_types text[],
  created_at timestamptz default now(),
  updated_at timestamptz default now()
);

create table if not exists storage.objects (
  id uuid not null default gen_random_uuid() primary key,
  bucket_id text references storage.buckets (id),
  name text,
  owner uuid,
  owner_id text,
  metadata jsonb,
  path_tokens text[] generated always as (string_to_array(name, '/')) stored,
  version text,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  last_accessed_at timestamptz default now()
);

create or replace function storage.foldername(name text) returns text[]
language sql immutable
as $$
  select (string_to_array(name, '/'))[1:array_length(string_to_array(name, '/'), 1) - 1]
$$;

create or replace function storage.filename(name text) returns text
language sql immutable
as $$ select (string_to_array(name, '/'))[array_length(string_to_array(name, '/'), 1)] $$;

create or replace function storage.extension(name text) returns text
language sql immutable
as $$ select reverse(split_part(reverse(name), '.', 1)) $$;

grant select on auth.users to service_role;
grant all on storage.buckets, storage.objects to anon, authenticated, service_role;

do $$
begin
  if to_regprocedure('auth.jwt()') is null then
    create function auth.jwt() returns jsonb
    language sql stable
    as 'select coalesce(
          nullif(current_setting(''request.jwt.claim'', true), ''''),
          nullif(current_setting(''request.jwt.claims'', true), '''')
        )::jsonb';
  end if;
  if to_regprocedure('auth.uid()') is null then
    create function auth.uid() returns uuid
    language sql stable
    as 'select coalesce(
          nullif(current_setting(''request.jwt.claim.sub'', true), ''''),
          nullif(current_setting(''request.jwt.claims'', true), '''')::jsonb ->> ''sub''
        )::uuid';
  end if;
  if to_regprocedure('auth.email()') is null then
    create function auth.email() returns text
    language sql stable
    as 'select coalesce(
          nullif(current_setting(''request.jwt.claim.email'', true), ''''),
          nullif(current_setting(''request.jwt.claims'', true), '''')::jsonb ->> ''email''
        )::text';
  end if;
  if to_regprocedure('auth.role()') is null then
    create function auth.role() returns text
    language sql stable
    as 'select coalesce(
          nullif(current_setting(''request.jwt.claim.role'', true), ''''),
          nullif(current_setting(''request.jwt.claims'', true), '''')::jsonb ->> ''role''
        )::text';
  end if;
end
$$;

grant execute on function auth.jwt(), auth.uid(), auth.email(), auth.role()
  to anon, authenticated, service_role;

alter default privileges in schema public
  grant all on tables to anon, authenticated, service_role;
alter default privileges in schema public
  grant all on sequences to anon, authenticated, service_role;
alter default privileges in schema public
  grant all on functions to anon, authenticated, service_role;

do $$
begin
  if not exists (select from pg_catalog.pg_publication where pubname = 'supabase_realtime') then
    create publication supabase_realtime;
  end if;
end
$$;
