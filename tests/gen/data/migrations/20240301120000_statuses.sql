-- Enum changes, renames and a type change.
alter type public.todo_status add value 'archived';
alter type public.todo_status add value if not exists 'open';
alter type public.todo_status rename value 'done' to 'completed';
alter type public.todo_status add value 'in progress' before 'completed';

alter table public.todos rename column task to title;
alter table public.todos alter column title set not null;
alter table public.todos alter column title type varchar(200);
alter table public.todos add column priority smallint;
alter table public.todos alter column priority type integer using priority::integer;
alter table public.profiles alter column bio drop not null;

create schema if not exists private;
create table private.secrets (id int primary key, value bytea not null);
drop table private.secrets;
