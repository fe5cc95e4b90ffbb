create table public.metrics (
  id bigint generated always as identity,
  device_id uuid not null,
  recorded_at timestamptz not null,
  value double precision,
  primary key (id, recorded_at)
) partition by range (recorded_at);

create table public.metrics_2024_q1 partition of public.metrics
  for values from ('2024-01-01') to ('2024-04-01');

create table public.metrics_2024_q2 partition of public.metrics
  for values from ('2024-04-01') to ('2024-07-01');

create table public.metrics_default partition of public.metrics default;

create table public.metrics_2024_q3 (like public.metrics including defaults);

alter table public.metrics attach partition public.metrics_2024_q3
  for values from ('2024-07-01') to ('2024-10-01');

alter table public.metrics add column unit text;

alter table public.metrics alter column value set not null;

alter table public.metrics_2024_q1 replica identity full;

alter table public.metrics detach partition public.metrics_default;

create table public.logs (
  tenant text not null,
  at date not null,
  line text
) partition by list (tenant);

create table public.logs_acme partition of public.logs
  for values in ('acme') partition by range (at);

create table public.logs_acme_2024 partition of public.logs_acme
  for values from ('2024-01-01') to ('2025-01-01');

create table public.logs_other partition of public.logs default;

alter table public.logs add constraint logs_pkey primary key (tenant, at);

alter publication supabase_realtime add table public.metrics, public.logs;
