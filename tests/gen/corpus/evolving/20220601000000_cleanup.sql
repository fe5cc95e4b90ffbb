alter type public.rgb add attribute a smallint cascade;

alter type public.rgb rename attribute a to alpha cascade;

alter table public.lists rename column grid to matrix;

alter table "Billing"."Subscriptions" rename column "Renews On" to renews_on;

alter type "Billing"."Plan Tier" add value 'enterprise' after 'Team Plus';

alter type "Billing"."Plan Tier" rename value 'Team Plus' to 'team';

create schema archive;

alter table public.heartbeat set schema archive;

alter table public.tasks alter column user_id drop not null;

alter table public.tasks add column tags text[] not null default '{}';

alter table public.tasks add column position double precision;

alter table public.tasks drop column position;

comment on table public.tasks is 'Things to do, formerly todos.';

comment on column public.tasks.done is 'Set when the task is finished.';

drop table if exists public.list_snapshots;

create table public.shares (
  list_id bigint not null references public.lists on delete cascade,
  shared_with uuid not null,
  can_edit boolean not null default false,
  primary key (list_id, shared_with)
);

alter table public.shares replica identity full;

alter table public.shares enable row level security;

alter table public.lists replica identity full;
