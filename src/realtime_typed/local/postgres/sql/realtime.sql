-- The local feed's objects in the `realtime` schema. Names start with `feed_` so they never
-- collide with a Supabase Realtime installation in the same database. Idempotent: types and
-- the table are created when missing, functions are replaced.

create schema if not exists realtime;
grant usage on schema realtime to anon, authenticated, service_role;

do $$
begin
  if to_regtype('realtime.feed_filter_op') is null then
    create type realtime.feed_filter_op as enum (
      'eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'in',
      'like', 'ilike', 'is', 'match', 'imatch', 'isdistinct'
    );
  end if;
  if to_regtype('realtime.feed_filter') is null then
    create type realtime.feed_filter as (
      column_name text,
      op realtime.feed_filter_op,
      value text,
      negate boolean
    );
  end if;
end
$$;

-- One row per (binding, publication table it matches).
create table if not exists realtime.feed_subscription (
  id bigint generated always as identity primary key,
  feed_id text not null,
  subscription_id uuid not null,
  entity regclass not null,
  filters realtime.feed_filter[] not null default '{}',
  claims jsonb not null,
  claims_role regrole not null,
  action_filter text not null default '*'
    check (action_filter in ('*', 'INSERT', 'UPDATE', 'DELETE')),
  selected_columns text[],
  created_at timestamptz not null default now()
);
create index if not exists feed_subscription_entity on realtime.feed_subscription (entity);
create index if not exists feed_subscription_subscription_id
  on realtime.feed_subscription (subscription_id);

-- A value as the wire carries it: to_jsonb of the text cast to the type named by `type_name`
-- (a regtype's text, so char(n) and bit(n) lose their length as they do on the real server).
-- bytea keeps wal2json's text unchanged (hex digits without the \x prefix).
create or replace function realtime.feed_to_json(value text, type_name text)
returns jsonb
language plpgsql
stable
as $$
declare
  converted jsonb;
begin
  if value is null then
    return null;
  end if;
  if type_name = 'bytea' then
    return to_jsonb(value);
  end if;
  execute format('select to_jsonb(%L::%s)', value, type_name) into converted;
  return converted;
end
$$;

-- Whether one filter holds for a column value (text of its wire value), compared by
-- PostgreSQL after casting both sides to the column type. NULL comparisons are false.
create or replace function realtime.feed_filter_holds(
  op realtime.feed_filter_op,
  negate boolean,
  type_name text,
  column_value text,
  filter_value text
)
returns boolean
language plpgsql
stable
as $$
declare
  holds boolean;
  operator_sql text;
begin
  if op = 'is' then
    if filter_value not in ('null', 'true', 'false', 'unknown') then
      raise exception 'invalid value for is filter: must be null, true, false, or unknown';
    end if;
    execute format('select %L::%s is %s %s', column_value, type_name,
                   case when negate then 'not' else '' end, upper(filter_value))
      into holds;
    return holds;
  end if;
  if op = 'isdistinct' then
    execute format('select %L::%s is %s distinct from %L::%s', column_value, type_name,
                   case when negate then 'not' else '' end, filter_value, type_name)
      into holds;
    return holds;
  end if;
  operator_sql := case op
    when 'eq' then '='
    when 'neq' then '<>'
    when 'lt' then '<'
    when 'lte' then '<='
    when 'gt' then '>'
    when 'gte' then '>='
    when 'in' then '= any'
    when 'like' then 'like'
    when 'ilike' then 'ilike'
    when 'match' then '~'
    when 'imatch' then '~*'
  end;
  execute format('select %L::%s %s (%L::%s)', column_value, type_name, operator_sql,
                 filter_value, case when op = 'in' then type_name || '[]' else type_name end)
    into holds;
  return coalesce(case when negate then not holds else holds end, false);
end
$$;

-- Whether every filter holds on `columns` (a jsonb array of {name, type, value}); a filter
-- on a column the change does not carry fails.
create or replace function realtime.feed_filters_hold(columns jsonb, filters realtime.feed_filter[])
returns boolean
language sql
stable
as $$
  select coalesce(bool_and(
    col.entry is not null
    and realtime.feed_filter_holds(f.op, coalesce(f.negate, false), col.entry ->> 'type',
                                   col.entry -> 'value' #>> '{}', f.value)
  ), true)
  from unnest(filters) f
  left join lateral (
    select entry from jsonb_array_elements(coalesce(columns, '[]')) entry
    where entry ->> 'name' = f.column_name
    limit 1
  ) col on true
$$;

-- Validation of a subscription row: filter and select columns must exist and be selectable
-- by the subscriber's role; filter values must suit the column type.
create or replace function realtime.feed_check_subscription()
returns trigger
language plpgsql
as $$
declare
  readable text[];
  f realtime.feed_filter;
  column_type regtype;
  wanted text;
begin
  new.claims_role := (new.claims ->> 'role')::regrole;
  select coalesce(array_agg(a.attname::text order by a.attnum), '{}') into readable
    from pg_catalog.pg_attribute a
   where a.attrelid = new.entity and a.attnum > 0 and not a.attisdropped
     and pg_catalog.has_column_privilege(new.claims_role, a.attrelid, a.attnum, 'SELECT');
  foreach f in array new.filters loop
    if not f.column_name = any(readable) then
      raise exception 'invalid column for filter %', f.column_name;
    end if;
    select a.atttypid::regtype into column_type
      from pg_catalog.pg_attribute a
     where a.attrelid = new.entity and a.attname = f.column_name;
    if f.op = 'in' then
      if coalesce(jsonb_array_length(
           realtime.feed_to_json(f.value, column_type::text || '[]')), 0) > 100 then
        raise exception 'too many values for `in` filter. Maximum 100';
      end if;
    elsif f.op = 'is' then
      if f.value not in ('null', 'true', 'false', 'unknown') then
        raise exception 'invalid value for is filter: must be null, true, false, or unknown';
      end if;
      if f.value <> 'null' and column_type <> 'boolean'::regtype then
        raise exception 'is % filter requires a boolean column, got %', f.value, column_type;
      end if;
    elsif f.op in ('like', 'ilike') then
      if not exists (select from pg_catalog.pg_operator
                      where oprname = '~~' and oprleft = column_type) then
        raise exception 'operator % requires a text-compatible column type, got %',
          f.op, column_type;
      end if;
    elsif f.op in ('match', 'imatch') then
      if not exists (select from pg_catalog.pg_operator
                      where oprname = case when f.op = 'imatch' then '~*' else '~' end
                        and oprleft = column_type and oprright = column_type
                        and oprresult = 'boolean'::regtype) then
        raise exception 'operator % requires a text-compatible column type, got %',
          f.op, column_type;
      end if;
      begin
        perform '' ~ f.value;
      exception when others then
        raise exception 'invalid regular expression for % filter: %', f.op, sqlerrm;
      end;
    else
      perform realtime.feed_to_json(f.value, column_type::text);
    end if;
    -- The real server meets a filter it cannot evaluate (an operator the column type lacks,
    -- such as `in` on an array column or `=` on json) only when a change arrives, and the
    -- error then fails the poll of every subscriber. Evaluating it once on a NULL column value
    -- resolves the operator now, so such a filter is refused here, with PostgreSQL's error.
    perform realtime.feed_filter_holds(f.op, coalesce(f.negate, false), column_type::text,
                                       null, f.value);
  end loop;
  foreach wanted in array coalesce(new.selected_columns, '{}') loop
    if not wanted = any(readable) then
      raise exception 'invalid column for select %', wanted;
    end if;
  end loop;
  return new;
end
$$;

drop trigger if exists feed_check_subscription on realtime.feed_subscription;
create trigger feed_check_subscription
  before insert or update on realtime.feed_subscription
  for each row execute function realtime.feed_check_subscription();

-- The wal2json (format 2) columns of a change with values as the wire carries them:
-- [{name, type (regtype text), value, pkey}].
create or replace function realtime.feed_wire_columns(entries jsonb, pk jsonb)
returns jsonb
language sql
stable
as $$
  select coalesce(jsonb_agg(jsonb_build_object(
           'name', c.entry ->> 'name',
           'type', c.type_name,
           'value', realtime.feed_to_json(c.entry -> 'value' #>> '{}', c.type_name),
           'pkey', exists (select from jsonb_array_elements(coalesce(pk, '[]')) k
                            where k ->> 'name' = c.entry ->> 'name'))
         order by c.position), '[]')
  from (
    select e.entry, e.position,
           coalesce((e.entry ->> 'typeoid')::oid::regtype, (e.entry ->> 'type')::regtype)::text
             as type_name
    from jsonb_array_elements(coalesce(entries, '[]')) with ordinality e(entry, position)
  ) c
$$;

-- The payloads one decoded change produces for this feed's subscribers: one row per
-- (subscriber role, distinct selected columns) with the subscriptions that may see it.
create or replace function realtime.feed_changes(change jsonb, feed text, max_record_bytes integer)
returns table (payload jsonb, subscription_ids uuid[], errors text[])
language plpgsql
as $$
declare
  target regclass := format('%I.%I', change ->> 'schema', change ->> 'table')::regclass;
  kind text := case change ->> 'action'
    when 'I' then 'INSERT' when 'U' then 'UPDATE' when 'D' then 'DELETE' end;
  rls boolean;
  too_large boolean := octet_length(change::text) > max_record_bytes;
  new_columns jsonb := realtime.feed_wire_columns(change -> 'columns', change -> 'pk');
  old_columns jsonb := realtime.feed_wire_columns(change -> 'identity', change -> 'pk');
  head jsonb;
  subscriber regrole;
  selection text[];
  key_total integer;
  key_readable integer;
  lookup_sql text;
  sub record;
  seen boolean;
  visible uuid[];
  body jsonb;
begin
  select relrowsecurity into rls from pg_catalog.pg_class where oid = target;
  head := jsonb_build_object('schema', change ->> 'schema', 'table', change ->> 'table',
                             'type', kind);
  for subscriber in
    select distinct s.claims_role from realtime.feed_subscription s
     where s.feed_id = feed and s.entity = target and s.action_filter in ('*', kind)
     order by 1
  loop
    select count(*), count(*) filter (
             where pg_catalog.has_column_privilege(subscriber, target, c ->> 'name', 'SELECT'))
      into key_total, key_readable
      from jsonb_array_elements(new_columns) c where (c ->> 'pkey')::boolean;

    if kind <> 'DELETE' and (key_total = 0 or key_readable < key_total) then
      for selection in
        select distinct s.selected_columns from realtime.feed_subscription s
         where s.feed_id = feed and s.entity = target and s.action_filter in ('*', kind)
           and s.claims_role = subscriber
      loop
        payload := head;
        subscription_ids := array(
          select s.subscription_id from realtime.feed_subscription s
           where s.feed_id = feed and s.entity = target and s.action_filter in ('*', kind)
             and s.claims_role = subscriber
             and s.selected_columns is not distinct from selection);
        errors := array[case when key_total = 0 then 'Error 400: Bad Request, no primary key'
                             else 'Error 401: Unauthorized' end];
        return next;
      end loop;
      continue;
    end if;

    if rls and kind <> 'DELETE' then
      select format('select exists (select from %s where %s)', target,
                    string_agg(format('%I = %L::%s', c ->> 'name', c -> 'value' #>> '{}',
                                      c ->> 'type'), ' and '))
        into lookup_sql
        from jsonb_array_elements(new_columns) c where (c ->> 'pkey')::boolean;
    end if;

    visible := '{}';
    for sub in
      select s.subscription_id, s.claims, s.filters from realtime.feed_subscription s
       where s.feed_id = feed and s.entity = target and s.action_filter in ('*', kind)
         and s.claims_role = subscriber
       order by s.id
    loop
      if cardinality(sub.filters) > 0 then
        -- One subscriber's filter must never fail the change for the others: an error (the
        -- column's type changed since the subscription was checked) is a non-match, logged.
        begin
          seen := realtime.feed_filters_hold(
            case when kind = 'DELETE' then old_columns else new_columns end, sub.filters);
        exception when others then
          seen := false;
          raise warning 'filter of subscription % could not be evaluated on %: %',
            sub.subscription_id, target, sqlerrm;
        end;
        if not seen then
          continue;
        end if;
      end if;
      if rls and kind <> 'DELETE' then
        perform set_config('role', (select rolname from pg_catalog.pg_roles
                                     where oid = subscriber), true),
                set_config('request.jwt.claims', sub.claims::text, true);
        begin
          execute lookup_sql into seen;
        exception when others then
          seen := false;
          raise warning 'row level security check failed for %: %', target, sqlerrm;
        end;
        perform set_config('role', 'none', true);
        if not seen then
          continue;
        end if;
      end if;
      visible := visible || sub.subscription_id;
    end loop;

    for selection in
      select distinct s.selected_columns from realtime.feed_subscription s
       where s.feed_id = feed and s.entity = target and s.action_filter in ('*', kind)
         and s.claims_role = subscriber
    loop
      subscription_ids := array(
        select s.subscription_id from realtime.feed_subscription s
         where s.feed_id = feed and s.entity = target and s.action_filter in ('*', kind)
           and s.claims_role = subscriber and s.subscription_id = any(visible)
           and s.selected_columns is not distinct from selection);
      if cardinality(subscription_ids) = 0 then
        continue;
      end if;
      body := head || jsonb_build_object(
        'commit_timestamp', to_char((change ->> 'timestamp')::timestamptz at time zone 'utc',
                                    'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'columns', coalesce((
          select jsonb_agg(jsonb_build_object('name', a.attname, 'type', t.typname)
                           order by a.attnum)
            from pg_catalog.pg_attribute a
            join pg_catalog.pg_type t on t.oid = a.atttypid
           where a.attrelid = target and a.attnum > 0 and not a.attisdropped
             and pg_catalog.has_column_privilege(subscriber, target, a.attnum, 'SELECT')
             and (selection is null or a.attname = any(selection)
                  or a.attnum = any(coalesce((select i.indkey::int2[] from pg_catalog.pg_index i
                                              where i.indrelid = target and i.indisprimary),
                                             '{}')))
        ), '[]'));
      if kind in ('INSERT', 'UPDATE') then
        body := body || jsonb_build_object('record', coalesce((
          select jsonb_object_agg(coalesce(n.entry ->> 'name', o.entry ->> 'name'),
                                  case when n.entry is null then o.entry -> 'value'
                                       else n.entry -> 'value' end)
            from jsonb_array_elements(new_columns) n(entry)
            full join jsonb_array_elements(old_columns) o(entry)
              on n.entry ->> 'name' = o.entry ->> 'name'
           where pg_catalog.has_column_privilege(
                   subscriber, target, coalesce(n.entry ->> 'name', o.entry ->> 'name'), 'SELECT')
             and (selection is null
                  or coalesce(n.entry ->> 'name', o.entry ->> 'name') = any(selection)
                  or coalesce((n.entry ->> 'pkey')::boolean, (o.entry ->> 'pkey')::boolean))
             and (not too_large
                  or octet_length(nullif(n.entry -> 'value', 'null')::text) <= 64)
        ), '{}'));
      end if;
      if kind in ('UPDATE', 'DELETE') then
        body := body || jsonb_build_object('old_record', coalesce((
          select jsonb_object_agg(o.entry ->> 'name', o.entry -> 'value')
            from jsonb_array_elements(old_columns) o(entry)
           where pg_catalog.has_column_privilege(subscriber, target, o.entry ->> 'name', 'SELECT')
             and (selection is null or o.entry ->> 'name' = any(selection)
                  or (o.entry ->> 'pkey')::boolean)
             and (not too_large
                  or octet_length(nullif(o.entry -> 'value', 'null')::text) <= 64)
             and (kind <> 'DELETE' or not rls or (o.entry ->> 'pkey')::boolean)
        ), '{}'));
      end if;
      payload := body;
      errors := case when too_large then array['Error 413: Payload Too Large'] else '{}' end;
      return next;
    end loop;
  end loop;
end
$$;
