-- Written to be re-runnable: every object is guarded.
create extension if not exists "uuid-ossp" with schema extensions;
create extension if not exists pgcrypto with schema extensions;

do $$
begin
  if not exists (select 1 from pg_type t join pg_namespace n on n.oid = t.typnamespace
                 where t.typname = 'task_priority' and n.nspname = 'public') then
    create type public.task_priority as enum ('low', 'normal', 'high');
  end if;
end
$$;

DO $$ BEGIN
    CREATE TYPE public.task_state AS ENUM ('todo', 'doing', 'done');
EXCEPTION
    WHEN duplicate_object THEN null;
END $$;

-- The same guards again, as a second run of the file would meet them.
DO $$ BEGIN
    CREATE TYPE public.task_state AS ENUM ('todo', 'doing', 'done');
EXCEPTION
    WHEN duplicate_object THEN null;
END $$;

do $$
begin
  if not exists (select from pg_type where typname = 'task_priority') then
    create type public.task_priority as enum ('low', 'normal', 'high');
  end if;
end
$$;

do $$
begin
  create domain public.percentage as numeric(5, 2) check (value between 0 and 100);
exception
  when duplicate_object then raise notice 'percentage exists, skipping';
end
$$;

do $body$
declare
  found_it boolean;
begin
  select exists (select from pg_type where typname = 'geo_point') into found_it;
  if not found_it then
    execute 'create type public.geo_point as (lat double precision, lng double precision)';
  end if;
end
$body$ language plpgsql;
