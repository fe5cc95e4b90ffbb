-- Broadcast authorization and Broadcast from the database: `realtime.messages` (RLS enabled,
-- so a project's policies decide who may read and write each topic), `realtime.topic()` for
-- those policies, `realtime.send`, `realtime.send_binary` and `realtime.broadcast_changes`.
--
-- Unlike Supabase's table, this one is not partitioned by day: there are no partitions to
-- create or expire, and policies, columns and defaults are the same. Every committed insert of
-- a broadcast row is announced with NOTIFY on `realtime_typed_messages` (payload: the row id),
-- which the local server turns into a broadcast. Idempotent.

create schema if not exists realtime;
grant usage on schema realtime to anon, authenticated, service_role;

create table if not exists realtime.messages (
  topic text not null,
  extension text not null,
  payload jsonb,
  event text,
  private boolean default false,
  updated_at timestamp without time zone not null default now(),
  inserted_at timestamp without time zone not null default now(),
  id uuid not null default gen_random_uuid(),
  binary_payload bytea,
  constraint messages_payload_exclusive check (payload is null or binary_payload is null),
  constraint messages_pkey primary key (id, inserted_at)
);

alter table realtime.messages enable row level security;

create index if not exists messages_inserted_at_topic_index
  on realtime.messages (inserted_at desc, topic)
  where extension = 'broadcast' and private is true;

grant insert, select, update on table realtime.messages to anon, authenticated, service_role;

-- The topic being authorized, for RLS policies on realtime.messages.
create or replace function realtime.topic()
returns text
language sql
stable
as $$ select nullif(current_setting('realtime.topic', true), '')::text $$;

grant execute on function realtime.topic() to anon, authenticated, service_role;

-- Broadcast a JSON payload to `topic` (private channels unless `private` is false). The payload
-- gets the row id as `id` unless it has one. Errors become a WARNING: the caller never fails.
create or replace function realtime.send(
  payload jsonb,
  event text,
  topic text,
  private boolean default true
)
returns void
language plpgsql
as $$
declare
  message_id uuid := gen_random_uuid();
begin
  begin
    perform set_config('realtime.topic', topic, true);
    insert into realtime.messages (id, payload, event, topic, private, extension)
    values (
      message_id,
      case when payload ? 'id' then payload
           else jsonb_set(payload, '{id}', to_jsonb(message_id)) end,
      event,
      topic,
      private,
      'broadcast'
    );
  exception
    when others then
      raise warning 'WarnSendingBroadcastMessage: %', sqlerrm;
  end;
end
$$;

-- The same with a binary payload; it reaches vsn 2.0.0 sockets only.
create or replace function realtime.send_binary(
  payload bytea,
  event text,
  topic text,
  private boolean default true
)
returns void
language plpgsql
as $$
begin
  begin
    perform set_config('realtime.topic', topic, true);
    insert into realtime.messages (binary_payload, event, topic, private, extension)
    values (payload, event, topic, private, 'broadcast');
  exception
    when others then
      raise warning 'WarnSendingBroadcastMessage: %', sqlerrm;
  end;
end
$$;

-- For row triggers: broadcast {old_record, record, operation, table, schema} to a private topic.
create or replace function realtime.broadcast_changes(
  topic_name text,
  event_name text,
  operation text,
  table_name text,
  table_schema text,
  new record,
  old record,
  level text default 'ROW'
)
returns void
language plpgsql
as $$
begin
  if level = 'STATEMENT' then
    raise exception 'function can only be triggered for each row, not for each statement';
  end if;
  if operation not in ('INSERT', 'UPDATE', 'DELETE') then
    raise exception 'Unexpected operation type: %', operation;
  end if;
  perform realtime.send(
    jsonb_build_object(
      'old_record', old,
      'record', new,
      'operation', operation,
      'table', table_name,
      'schema', table_schema
    ),
    event_name,
    topic_name
  );
exception
  when others then
    raise exception 'Failed to process the row: %', sqlerrm;
end
$$;

grant execute on function
  realtime.send(jsonb, text, text, boolean),
  realtime.send_binary(bytea, text, text, boolean),
  realtime.broadcast_changes(text, text, text, text, text, record, record, text)
  to anon, authenticated, service_role;

-- Announce committed broadcast rows to the local server (rolled-back probes never are).
create or replace function realtime.feed_announce_message()
returns trigger
language plpgsql
as $$
begin
  perform pg_notify('realtime_typed_messages', new.id::text);
  return null;
end
$$;

create or replace trigger feed_announce_message
  after insert on realtime.messages
  for each row
  when (new.extension = 'broadcast')
  execute function realtime.feed_announce_message();
