-- Renames and drops guarded by information_schema checks, as hand-written fixes do.
do $$
begin
  if exists (select 1 from information_schema.columns
             where table_schema = 'public' and table_name = 'tasks' and column_name = 'due_on') then
    alter table public.tasks rename column due_on to due_date;
  end if;
end
$$;

do $$
begin
  if exists (select 1 from information_schema.columns
             where table_schema = 'public' and table_name = 'tasks' and column_name = 'due_on') then
    alter table public.tasks rename column due_on to due_date;
  end if;
end
$$;

do $$
begin
  alter type public.task_state add value if not exists 'blocked' before 'done';
  if not exists (select 1 from pg_enum e join pg_type t on t.oid = e.enumtypid
                 where t.typname = 'task_priority' and e.enumlabel = 'urgent') then
    alter type public.task_priority add value 'urgent';
  end if;
end
$$;

do $$
begin
  begin
    alter table public.tasks add column archived boolean not null default false;
  exception
    when duplicate_column then null;
  end;
  begin
    alter table public.tasks add column archived boolean not null default false;
  exception
    when duplicate_column then null;
  end;
end
$$;

do $$
begin
  if exists (select from pg_tables where schemaname = 'public' and tablename = 'legacy_notes') then
    drop table public.legacy_notes;
  end if;
end
$$;

alter table if exists public.legacy_notes add column x int;
drop table if exists public.legacy_notes;
drop type if exists public.legacy_kind;

do $$
begin
  if not exists (select 1 from pg_publication_tables
                 where pubname = 'supabase_realtime' and tablename = 'tasks') then
    alter publication supabase_realtime add table public.tasks;
  end if;
end
$$;

alter table public.tasks replica identity full;
