set search_path = '';

create schema if not exists "Billing";

create type "Billing"."Plan Tier" as enum ('free', 'pro', 'Team Plus');

create table "Billing"."Subscriptions" (
  "Id" uuid primary key default gen_random_uuid(),
  "Owner" uuid not null references auth.users (id),
  "Tier" "Billing"."Plan Tier" not null default 'free',
  "Seats" int4 not null default 1,
  "Renews On" pg_catalog.date
);

create table "Billing".invoices (
  id bigint generated always as identity,
  subscription_id uuid not null references "Billing"."Subscriptions" ("Id"),
  amount_cents bigint not null,
  paid boolean
);

create unique index invoices_id_key on "Billing".invoices (id);

alter table "Billing".invoices replica identity using index invoices_id_key;

alter table "Billing".invoices add column memo text;

create table public.audit_log (
  at timestamptz not null default pg_catalog.now(),
  actor uuid,
  action text not null,
  detail jsonb
);

alter table public.audit_log replica identity full;

create table public.audit_log_archive () inherits (public.audit_log);

alter table public.audit_log add column source inet;

create table public.heartbeat (
  node text not null,
  seen_at timestamptz not null
);

alter table public.heartbeat replica identity nothing;

set search_path to public, extensions;
