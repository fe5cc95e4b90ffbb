create type "public"."member_role" as enum ('owner', 'admin', 'member');

create sequence "public"."messages_id_seq";

create table "public"."teams" (
    "id" uuid not null default gen_random_uuid(),
    "slug" text not null,
    "name" text not null,
    "created_at" timestamp with time zone not null default now()
);


alter table "public"."teams" enable row level security;

create table "public"."team_members" (
    "team_id" uuid not null,
    "user_id" uuid not null,
    "role" member_role not null default 'member'::member_role,
    "joined_at" timestamp with time zone default now()
);


alter table "public"."team_members" enable row level security;

create table "public"."messages" (
    "id" bigint not null default nextval('messages_id_seq'::regclass),
    "team_id" uuid not null,
    "author_id" uuid,
    "body" text not null,
    "edited" boolean not null default false,
    "sent_at" timestamp with time zone not null default now()
);


alter sequence "public"."messages_id_seq" owned by "public"."messages"."id";

CREATE UNIQUE INDEX teams_pkey ON public.teams USING btree (id);

CREATE UNIQUE INDEX teams_slug_key ON public.teams USING btree (slug);

CREATE UNIQUE INDEX team_members_pkey ON public.team_members USING btree (team_id, user_id);

CREATE UNIQUE INDEX messages_pkey ON public.messages USING btree (id);

CREATE INDEX messages_team_id_sent_at_idx ON public.messages USING btree (team_id, sent_at DESC);

alter table "public"."teams" add constraint "teams_pkey" PRIMARY KEY using index "teams_pkey";

alter table "public"."teams" add constraint "teams_slug_key" UNIQUE using index "teams_slug_key";

alter table "public"."team_members" add constraint "team_members_pkey" PRIMARY KEY using index "team_members_pkey";

alter table "public"."messages" add constraint "messages_pkey" PRIMARY KEY using index "messages_pkey";

alter table "public"."team_members" add constraint "team_members_team_id_fkey" FOREIGN KEY (team_id) REFERENCES teams(id) ON DELETE CASCADE not valid;

alter table "public"."team_members" validate constraint "team_members_team_id_fkey";

alter table "public"."team_members" add constraint "team_members_user_id_fkey" FOREIGN KEY (user_id) REFERENCES auth.users(id) ON DELETE CASCADE not valid;

alter table "public"."team_members" validate constraint "team_members_user_id_fkey";

alter table "public"."messages" add constraint "messages_team_id_fkey" FOREIGN KEY (team_id) REFERENCES teams(id) ON DELETE CASCADE not valid;

alter table "public"."messages" validate constraint "messages_team_id_fkey";

alter table "public"."messages" add constraint "messages_body_check" CHECK ((char_length(body) <= 4000)) not valid;

alter table "public"."messages" validate constraint "messages_body_check";

set check_function_bodies = off;

CREATE OR REPLACE FUNCTION public.is_member(team uuid)
 RETURNS boolean
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
  select exists (
    select 1 from public.team_members m
    where m.team_id = team and m.user_id = auth.uid()
  );
$function$
;

grant delete on table "public"."teams" to "anon";

grant insert on table "public"."teams" to "anon";

grant select on table "public"."teams" to "authenticated";

grant select on table "public"."messages" to "authenticated";

grant insert on table "public"."messages" to "authenticated";

create policy "Members read messages"
on "public"."messages"
as permissive
for select
to authenticated
using (is_member(team_id));


create policy "Members write messages"
on "public"."messages"
as permissive
for insert
to authenticated
with check ((is_member(team_id) AND (author_id = auth.uid())));
