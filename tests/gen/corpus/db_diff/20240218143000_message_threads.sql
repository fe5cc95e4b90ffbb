alter table "public"."messages" add column "parent_id" bigint;

alter table "public"."messages" add column "attachments" jsonb[];

alter table "public"."messages" alter column "edited" drop not null;

alter table "public"."messages" alter column "author_id" set not null;

alter table "public"."messages" add constraint "messages_parent_id_fkey" FOREIGN KEY (parent_id) REFERENCES messages(id) ON DELETE SET NULL not valid;

alter table "public"."messages" validate constraint "messages_parent_id_fkey";

alter type "public"."member_role" rename to "member_role__old_version_to_be_dropped";

create type "public"."member_role" as enum ('owner', 'admin', 'member', 'guest');

alter table "public"."team_members" alter column role drop default;

alter table "public"."team_members" alter column "role" set data type "public"."member_role" using "role"::text::"public"."member_role";

alter table "public"."team_members" alter column "role" set default 'member'::member_role;

drop type "public"."member_role__old_version_to_be_dropped";

create table "public"."reactions" (
    "message_id" bigint not null,
    "user_id" uuid not null,
    "emoji" text not null,
    "created_at" timestamp with time zone not null default now()
);

CREATE UNIQUE INDEX reactions_pkey ON public.reactions USING btree (message_id, user_id, emoji);

alter table "public"."reactions" add constraint "reactions_pkey" PRIMARY KEY using index "reactions_pkey";

alter table "public"."reactions" add constraint "reactions_message_id_fkey" FOREIGN KEY (message_id) REFERENCES messages(id) ON DELETE CASCADE not valid;

alter table "public"."reactions" validate constraint "reactions_message_id_fkey";

alter table "public"."reactions" enable row level security;
