-- What a Supabase project database has before Realtime touches it: the API roles, the auth
-- helper functions that read the request's JWT claims, default grants on the public schema
-- and an empty supabase_realtime publication. Every statement is idempotent.

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
grant usage on schema public, extensions, auth to anon, authenticated, service_role;

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

grant execute on function auth.jwt(), auth.uid(), auth.role()
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
