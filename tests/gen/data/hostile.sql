-- Names that collide with what a generated module uses: Python keywords and builtins, the
-- names the module imports or defines, and names that differ only in case or punctuation.
create type "Mood" as enum ('a', 'it''s', '"q"', '\');
create type builders as (a int, "Final" text, "date" date);
create type "TypeAlias" as enum ('x');

create table "None" (
  id int primary key,
  "date" date,
  "time" time,
  "datetime" timestamp,
  str text,
  "int" int,
  "float" float8,
  "bool" bool,
  "bytes" bytea,
  "list" int[],
  "dict" jsonb,
  "object" text,
  "type" text,
  "isinstance" text,
  "len" text,
  "Field" text,
  "Column" text,
  "Final" text,
  "Callable" text,
  "Annotated" text,
  "Literal" text,
  "TypeAlias" "TypeAlias",
  "TYPE_CHECKING" text,
  "BaseModel" text,
  "ConfigDict" text,
  "ChangeSpec" text,
  "UUID" uuid,
  "Decimal" numeric,
  "AwareDatetime" timestamptz,
  "JsonValue" jsonb,
  "IPvAnyInterface" inet,
  "IPvAnyNetwork" cidr,
  "threading" text,
  "Mood" "Mood",
  "Builders" builders,
  "_b" int,
  "_t" text,
  "_dt" date,
  "_pd" text,
  "_rt" text,
  "_json" jsonb,
  "_bytea" bytea,
  "_record" text,
  "__init__" text,
  "model_config" text,
  "self" text,
  "cls" text,
  "Row" text,
  "Old" text,
  "c" text,
  "insert" text,
  "all" text,
  "a_b" text,
  "A_B" text,
  "x-y" text,
  "x y" text
);
create table "True" ("True" int primary key, "False" bool, "None" text);
create table "False" (id int);
create table "Callable" (id int primary key, "Callable" text);
create table "class" (id int primary key, "class" text, "def" text, "match" text, "case" text);
create table "int" (id int primary key);
create table "str" (id int primary key);
create table "AttributeError" (id int primary key);
create table "BaseModel" (id int primary key);
create table "Field" (id int primary key);
create table "Final" (id int primary key);
create table "Literal" (id int primary key);
create table "ChangeSpec" (id int primary key);
create table "UUID" (id int primary key);
create table "date" (id int primary key, "date" date);
create table "Row" (id int primary key);
create table items (id int primary key);
create table "Items" (id int primary key);
create schema "Callable";
create table "Callable"."None" (id int primary key);
