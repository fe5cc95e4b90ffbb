create table if not exists public.projects (
  id uuid primary key default extensions.uuid_generate_v4(),
  owner_id uuid not null references auth.users (id) on delete cascade,
  title text not null,
  location public.geo_point,
  created_at timestamptz not null default now()
);

create table if not exists public.tasks (
  id bigint generated always as identity primary key,
  project_id uuid not null references public.projects (id) on delete cascade,
  title text not null,
  state public.task_state not null default 'todo',
  priority public.task_priority,
  progress public.percentage default 0,
  due_on date
);

-- re-run: the table exists, nothing changes
create table if not exists public.tasks (
  id int primary key
);

alter table public.tasks add column if not exists assignee uuid references auth.users (id);
alter table public.tasks add column if not exists assignee uuid;
alter table public.tasks add column if not exists estimate interval;

create unique index if not exists tasks_project_title_key on public.tasks (project_id, title);
create unique index if not exists tasks_project_title_key on public.tasks (project_id, title);

alter table public.projects enable row level security;
alter table public.tasks enable row level security;

drop policy if exists "Owners manage projects" on public.projects;
create policy "Owners manage projects" on public.projects
  for all using (owner_id = auth.uid()) with check (owner_id = auth.uid());

drop trigger if exists set_timestamp on public.projects;
drop function if exists public.touch();
create or replace function public.touch() returns trigger language plpgsql as $$
begin
  new.created_at := coalesce(new.created_at, now());
  return new;
end;
$$;
create trigger set_timestamp before insert on public.projects
  for each row execute function public.touch();

-- Run later by a cron job, not by the migration: its table must not appear.
create or replace function public.create_monthly_archive() returns void
language plpgsql as $$
begin
  create table if not exists public.tasks_archive (like public.tasks including all);
  execute format('create table if not exists public.%I (like public.tasks)',
                 'tasks_' || to_char(now(), 'YYYY_MM'));
end
$$;
