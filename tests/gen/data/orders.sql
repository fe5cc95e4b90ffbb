-- A small schema for --strict-enums: enum columns hold the Literal alone.
create type status as enum ('draft', 'shipped');
create table orders (
  id bigint primary key,
  status status not null,
  previous status,
  history status[]
);
