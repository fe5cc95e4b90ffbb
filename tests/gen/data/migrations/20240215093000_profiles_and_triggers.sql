-- A trigger function with a dollar-quoted body, a trigger and column changes.
create or replace function public.touch_updated_at()
returns trigger
language plpgsql
as $$
begin
  new.updated_at := now();
  return new;
end;
$$;

alter table public.profiles
  add column updated_at timestamptz,
  add column if not exists website text,
  add column bio text;

create trigger profiles_touch before update on public.profiles
  for each row execute function public.touch_updated_at();

comment on table public.profiles is 'Public profile of each user.';
comment on column public.profiles.username is 'Unique handle, shown in the UI.';

alter table public.profiles alter column updated_at set not null;
alter table public.profiles drop column website;
