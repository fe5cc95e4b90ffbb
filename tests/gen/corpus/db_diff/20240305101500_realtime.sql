alter table "public"."messages" replica identity full;

alter table "public"."reactions" replica identity full;

alter table "public"."reactions" disable row level security;

alter publication supabase_realtime add table "public"."messages", "public"."reactions";

alter table "public"."teams" drop constraint "teams_slug_key";

drop index if exists "public"."teams_slug_key";

alter table "public"."teams" rename column "name" to "display_name";

alter table "public"."teams" add column "archived_at" timestamp with time zone;
