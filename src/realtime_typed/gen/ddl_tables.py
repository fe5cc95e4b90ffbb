"""Tables in DDL: columns, keys, unique indexes, replica identity, RLS, partitions, renames
and drops, with the changes a parent passes on to its partitions and inheritance children."""

from __future__ import annotations

from typing import Any

from pglast import ast
from pglast.enums import (
    AlterTableType,
    ConstrType,
    DropBehavior,
    ObjectType,
    TableLikeOption,
)

from realtime_typed.gen.catalog import (
    ColumnDef,
    CompositeType,
    OpaqueType,
    ReplicaIdentity,
    Table,
)
from realtime_typed.gen.ddl_scope import REALTIME_PUBLICATION, UniqueIndex
from realtime_typed.gen.ddl_types import TypeStatements
from realtime_typed.gen.sql_nodes import (
    constraint_of,
    not_null_from,
    object_names,
    relation_names,
    schema_of,
    strings,
)

__all__ = ["TableStatements"]

_REPLICA_IDENTITIES: dict[str, ReplicaIdentity] = {
    "d": "default",
    "f": "full",
    "i": "index",
    "n": "nothing",
}


class TableStatements(TypeStatements):
    """``CREATE``/``ALTER``/``DROP TABLE``, indexes, renames, schema moves and comments."""

    def _create_table(self, stmt: ast.CreateStmt) -> None:
        relation = stmt.relation
        assert relation is not None
        if relation.relpersistence == "t":
            return
        key = self._relation(relation)
        if key in self.catalog.tables:
            if stmt.if_not_exists:
                return
            raise self._missing(f'relation "{key[0]}.{key[1]}" already exists', relation.location)
        if self._taken(*key):
            raise self._missing(f'type "{key[0]}.{key[1]}" already exists', relation.location)
        table = Table(key[0], key[1], [], location=self.location(relation.location))
        table.partitioned = stmt.partspec is not None
        table.unlogged = relation.relpersistence == "u"
        parents = [p for p in stmt.inhRelations or () if isinstance(p, ast.RangeVar)]
        if stmt.ofTypename is not None:
            composite = self._type_ref(stmt.ofTypename)[0].type
            if not isinstance(composite, CompositeType):
                raise self._error(
                    "CREATE TABLE OF needs a composite type", stmt.ofTypename.location
                )
            table.columns = [
                ColumnDef(a.name, a.type, location=table.location) for a in composite.attributes
            ]
        for parent_relation in parents:
            parent = self._table(parent_relation)
            assert parent is not None
            for inherited in parent.columns:
                self._merge_column(table, inherited)
            if stmt.partbound is not None:
                table.partition_of = (parent.schema, parent.name)
                table.primary_key = parent.primary_key
                if parent.primary_key:
                    table.primary_key_name = f"{key[1]}_pkey"
            self._inherits.append((table, parent))
        for element in stmt.tableElts or ():
            self._table_element(table, element, partition=stmt.partbound is not None)
        self._check_primary_key(table)
        self.catalog.tables[key] = table
        if table.primary_key_name:
            self._add_index(table, table.primary_key_name, table.primary_key)

    def _merge_column(self, table: Table, column: ColumnDef) -> None:
        existing = table.column(column.name)
        if existing is None:
            table.columns.append(
                ColumnDef(column.name, column.type, column.not_null, location=table.location)
            )
        else:
            existing.not_null = existing.not_null or column.not_null

    def _table_element(self, table: Table, element: Any, *, partition: bool) -> None:
        if isinstance(element, ast.ColumnDef):
            existing = table.column(element.colname or "")
            if existing is not None and (partition or element.typeName is None):
                existing.not_null = existing.not_null or bool(not_null_from(element.constraints))
                if constraint_of(element.constraints, ConstrType.CONSTR_PRIMARY) is not None:
                    table.primary_key = (existing.name,)
                return
            column, primary = self._column(element)
            if existing is not None:
                if existing.type != column.type:
                    raise self._error(
                        f'column "{column.name}" specified more than once', element.location
                    )
                existing.not_null = existing.not_null or column.not_null
            else:
                table.columns.append(column)
            if primary:
                self._set_primary_key(table, (column.name,), None)
            unique = constraint_of(element.constraints, ConstrType.CONSTR_UNIQUE)
            if unique is not None:
                self._unique_constraint(table, unique, (column.name,))
        elif isinstance(element, ast.Constraint):
            self._table_constraint(table, element)
        elif isinstance(element, ast.TableLikeClause):
            self._like(table, element)

    def _like(self, table: Table, clause: ast.TableLikeClause) -> None:
        source = self._table(clause.relation)
        assert source is not None
        options = TableLikeOption(clause.options or 0)
        for column in source.columns:
            if table.column(column.name) is not None:
                raise self._error(f'column "{column.name}" specified more than once')
            comment = (
                column.comment if options & TableLikeOption.CREATE_TABLE_LIKE_COMMENTS else None
            )
            table.columns.append(
                ColumnDef(column.name, column.type, column.not_null, comment, table.location)
            )
        if options & TableLikeOption.CREATE_TABLE_LIKE_INDEXES and source.primary_key:
            table.primary_key = source.primary_key
            table.primary_key_name = f"{table.name}_pkey"

    def _table_constraint(self, table: Table, constraint: ast.Constraint) -> None:
        if constraint.contype == ConstrType.CONSTR_PRIMARY:
            if constraint.indexname:
                index = self._index_for_constraint(table, constraint)
                keys = index.columns
            else:
                keys = tuple(strings(constraint.keys))
            if keys:
                self._set_primary_key(table, keys, constraint.conname, constraint.location)
                if constraint.indexname:
                    self._rename_index(table.schema, constraint.indexname, table.primary_key_name)
        elif constraint.contype == ConstrType.CONSTR_UNIQUE:
            if constraint.indexname:
                self._index_for_constraint(table, constraint)
                if constraint.conname:
                    self._rename_index(table.schema, constraint.indexname, constraint.conname)
            else:
                self._unique_constraint(table, constraint, tuple(strings(constraint.keys)))
        elif constraint.contype == ConstrType.CONSTR_NOTNULL:
            for name in strings(constraint.keys):
                self._existing_column(table, name, constraint.location).not_null = True

    def _index_for_constraint(self, table: Table, constraint: ast.Constraint) -> UniqueIndex:
        """The index a ``PRIMARY KEY``/``UNIQUE USING INDEX`` constraint takes over."""
        name = constraint.indexname or ""
        index = self._indexes.get((table.schema, name))
        if index is None:
            raise self._missing(f'index "{name}" does not exist', constraint.location)
        if index.table is not table:
            raise self._error(
                f'index "{name}" does not belong to table "{table.name}"', constraint.location
            )
        if not index.plain:
            raise self._error(
                f'index "{name}" has expressions or a predicate: it cannot back a constraint',
                constraint.location,
            )
        return index

    def _unique_constraint(
        self, table: Table, constraint: ast.Constraint, columns: tuple[str, ...]
    ) -> None:
        name = constraint.conname or f"{table.name}_{'_'.join(columns)}_key"
        self._add_index(table, name, columns)

    def _create_index(self, stmt: ast.IndexStmt) -> None:
        if not stmt.unique or not stmt.idxname:
            return
        table = self._table(stmt.relation)
        assert table is not None
        if (table.schema, stmt.idxname) in self._indexes:
            if stmt.if_not_exists:
                return
            raise self._missing(f'relation "{stmt.idxname}" already exists')
        params = [p for p in stmt.indexParams or () if isinstance(p, ast.IndexElem)]
        columns = tuple(p.name for p in params if p.name)
        plain = stmt.whereClause is None and len(columns) == len(params)
        for name in columns:
            self._existing_column(table, name)
        self._add_index(table, stmt.idxname, columns, plain=plain)

    def _set_primary_key(
        self,
        table: Table,
        keys: tuple[str, ...],
        name: str | None,
        location: int | None = None,
    ) -> None:
        if table.primary_key:
            raise self._missing(
                f'multiple primary keys for table "{table.name}" are not allowed', location
            )
        table.primary_key = keys
        table.primary_key_name = name or f"{table.name}_pkey"
        self._add_index(table, table.primary_key_name, keys)

    def _check_primary_key(self, table: Table) -> None:
        for name in table.primary_key:
            self._existing_column(table, name).not_null = True

    def _alter_table(self, stmt: ast.AlterTableStmt) -> None:
        if stmt.objtype == ObjectType.OBJECT_TYPE:
            self._alter_composite(stmt)
            return
        if stmt.objtype != ObjectType.OBJECT_TABLE:
            return
        table = self._table(stmt.relation, missing_ok=bool(stmt.missing_ok))
        if table is None:
            return
        recurse = stmt.relation is None or stmt.relation.inh is not False
        for cmd in stmt.cmds or ():
            if isinstance(cmd, ast.AlterTableCmd):
                self._alter_table_cmd(table, cmd, recurse=recurse)

    def _alter_table_cmd(self, table: Table, cmd: ast.AlterTableCmd, *, recurse: bool) -> None:
        subtype = cmd.subtype
        inherited = {
            AlterTableType.AT_AddColumn,
            AlterTableType.AT_DropColumn,
            AlterTableType.AT_AlterColumnType,
            AlterTableType.AT_SetNotNull,
            AlterTableType.AT_DropNotNull,
        }
        if subtype in inherited and recurse:
            for child in self._children(table):
                self._alter_table_cmd(child, cmd, recurse=True)
        if subtype == AlterTableType.AT_AddColumn and isinstance(cmd.def_, ast.ColumnDef):
            self._add_column(table, cmd.def_, missing_ok=bool(cmd.missing_ok))
        elif subtype == AlterTableType.AT_DropColumn:
            if table.column(cmd.name or "") is None and cmd.missing_ok:
                return
            self._drop_column(table, self._existing_column(table, cmd.name or ""))
        elif subtype == AlterTableType.AT_AlterColumnType and isinstance(cmd.def_, ast.ColumnDef):
            column = self._existing_column(table, cmd.name or "")
            column.type = self._type_ref(cmd.def_.typeName)[0]
        elif subtype in {AlterTableType.AT_SetNotNull, AlterTableType.AT_AddIdentity}:
            self._existing_column(table, cmd.name or "").not_null = True
        elif subtype == AlterTableType.AT_DropNotNull:
            self._existing_column(table, cmd.name or "").not_null = False
        elif subtype == AlterTableType.AT_AddConstraint and isinstance(cmd.def_, ast.Constraint):
            self._table_constraint(table, cmd.def_)
            self._check_primary_key(table)
            if cmd.def_.contype == ConstrType.CONSTR_PRIMARY and recurse and table.partitioned:
                self._inherit_primary_key(table)
        elif subtype == AlterTableType.AT_DropConstraint:
            if table.primary_key_name and cmd.name == table.primary_key_name:
                self._drop_primary_key(table)
            else:
                self._indexes.pop((table.schema, cmd.name or ""), None)
        elif subtype == AlterTableType.AT_ReplicaIdentity and isinstance(
            cmd.def_, ast.ReplicaIdentityStmt
        ):
            self._replica_identity(table, cmd.def_)
        elif subtype in {AlterTableType.AT_SetLogged, AlterTableType.AT_SetUnLogged}:
            table.unlogged = subtype == AlterTableType.AT_SetUnLogged
        elif subtype == AlterTableType.AT_EnableRowSecurity:
            table.row_security = True
        elif subtype == AlterTableType.AT_DisableRowSecurity:
            table.row_security = False
        elif subtype == AlterTableType.AT_AddInherit and isinstance(cmd.def_, ast.RangeVar):
            parent = self._table(cmd.def_)
            assert parent is not None
            self._inherits.append((table, parent))
        elif subtype == AlterTableType.AT_DropInherit and isinstance(cmd.def_, ast.RangeVar):
            parent = self._table(cmd.def_)
            self._inherits = [(c, p) for c, p in self._inherits if (c, p) != (table, parent)]
        elif subtype == AlterTableType.AT_AttachPartition and isinstance(
            cmd.def_, ast.PartitionCmd
        ):
            self._attach(table, cmd.def_)
        elif subtype == AlterTableType.AT_DetachPartition and isinstance(
            cmd.def_, ast.PartitionCmd
        ):
            self._detach(table, cmd.def_)

    def _add_column(self, table: Table, node: ast.ColumnDef, *, missing_ok: bool) -> None:
        if table.column(node.colname or "") is not None:
            if missing_ok:
                return
            raise self._missing(
                f'column "{node.colname}" of relation "{table.name}" already exists',
                node.location,
            )
        column, primary = self._column(node)
        table.columns.append(column)
        if primary:
            self._set_primary_key(table, (column.name,), None, node.location)
        unique = constraint_of(node.constraints, ConstrType.CONSTR_UNIQUE)
        if unique is not None:
            self._unique_constraint(table, unique, (column.name,))

    def _inherit_primary_key(self, table: Table) -> None:
        """A primary key added to a partitioned table reaches every partition."""
        for child in self._children(table):
            if not child.primary_key:
                self._set_primary_key(child, table.primary_key, None)
                self._check_primary_key(child)
            if child.partitioned:
                self._inherit_primary_key(child)

    def _replica_identity(self, table: Table, stmt: ast.ReplicaIdentityStmt) -> None:
        identity = _REPLICA_IDENTITIES[stmt.identity_type or "d"]
        if identity == "index":
            index = self._indexes.get((table.schema, stmt.name or ""))
            if index is None:
                raise self._missing(f'index "{stmt.name}" for table "{table.name}" does not exist')
            if index.table is not table or not index.plain:
                raise self._error(f'index "{stmt.name}" cannot be used as replica identity')
            for name in index.columns:
                if not self._existing_column(table, name).not_null:
                    raise self._error(
                        f'index "{stmt.name}" cannot be used as replica identity because '
                        f'column "{name}" is nullable'
                    )
            table.identity_index = index.columns
        else:
            table.identity_index = ()
        table.replica_identity = identity

    def _attach(self, table: Table, command: ast.PartitionCmd) -> None:
        child = self._table(command.name)
        assert child is not None
        if child.partition_of is not None:
            raise self._error(f'"{child.name}" is already a partition')
        child.partition_of = (table.schema, table.name)
        self._inherits.append((child, table))
        if table.primary_key and not child.primary_key:
            self._set_primary_key(child, table.primary_key, None)
            self._check_primary_key(child)

    def _detach(self, table: Table, command: ast.PartitionCmd) -> None:
        child = self._table(command.name)
        assert child is not None
        if child.partition_of != (table.schema, table.name):
            raise self._missing(f'relation "{child.name}" is not a partition of "{table.name}"')
        child.partition_of = None
        self._inherits = [(c, p) for c, p in self._inherits if c is not child or p is not table]

    def _rename(self, stmt: ast.RenameStmt) -> None:
        kind = stmt.renameType
        new = stmt.newname or ""
        if kind == ObjectType.OBJECT_TABLE:
            table = self._table(stmt.relation, missing_ok=bool(stmt.missing_ok))
            if table is not None:
                self._move_table(table, table.schema, new)
        elif kind == ObjectType.OBJECT_COLUMN and stmt.relationType == ObjectType.OBJECT_TABLE:
            table = self._table(stmt.relation, missing_ok=bool(stmt.missing_ok))
            if table is not None:
                recurse = stmt.relation is None or stmt.relation.inh is not False
                self._rename_column(table, stmt.subname or "", new, recurse=recurse)
        elif kind == ObjectType.OBJECT_TABCONSTRAINT:
            table = self._table(stmt.relation, missing_ok=bool(stmt.missing_ok))
            if table is not None:
                self._rename_index(table.schema, stmt.subname or "", new)
                if stmt.subname == table.primary_key_name:
                    table.primary_key_name = new
        elif kind == ObjectType.OBJECT_INDEX:
            self._rename_index_statement(stmt, new)
        elif kind == ObjectType.OBJECT_SCHEMA:
            self._rename_schema(stmt.subname or "", new)
        elif kind == ObjectType.OBJECT_ATTRIBUTE:
            composite = self._composite(relation_names(stmt.relation))
            attribute = next((a for a in composite.attributes if a.name == stmt.subname), None)
            if attribute is None:
                raise self._missing(f'attribute "{stmt.subname}" does not exist')
            attribute.name = new
        elif kind in {ObjectType.OBJECT_TYPE, ObjectType.OBJECT_DOMAIN}:
            user = self._user_type(object_names(stmt.object))
            self._move_type(user, user.schema, new)

    def _rename_column(self, table: Table, old: str, new: str, *, recurse: bool) -> None:
        if table.column(new) is not None:
            raise self._missing(f'column "{new}" of relation "{table.name}" already exists')
        self._existing_column(table, old).name = new

        def renamed(names: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(new if name == old else name for name in names)

        table.primary_key = renamed(table.primary_key)
        table.identity_index = renamed(table.identity_index)
        for index in self._indexes.values():
            if index.table is table:
                index.columns = renamed(index.columns)
        if recurse:
            for child in self._children(table):
                self._rename_column(child, old, new, recurse=True)

    def _rename_index_statement(self, stmt: ast.RenameStmt, new: str) -> None:
        relation = stmt.relation
        assert relation is not None and relation.relname is not None
        schemas = [relation.schemaname] if relation.schemaname else self.search_path
        for schema in schemas:
            index = self._indexes.get((schema, relation.relname))
            if index is not None:
                self._rename_index(schema, relation.relname, new)
                if index.table.primary_key_name == relation.relname:
                    index.table.primary_key_name = new
                return

    def _rename_schema(self, old: str, new: str) -> None:
        for table in [t for t in self.catalog.tables.values() if t.schema == old]:
            self._move_table(table, new, table.name)
        for user in [t for t in self.catalog.types.values() if t.schema == old]:
            self._move_type(user, new, user.name)
        for key in [k for k in self._opaque if k[0] == old]:
            opaque = self._opaque.pop(key)
            self._opaque[(new, key[1])] = OpaqueType(new, key[1], opaque.json_cast)
        for schema, name in [k for k in self._indexes if k[0] == old]:
            self._indexes[(new, name)] = self._indexes.pop((schema, name))

    def _set_schema(self, stmt: ast.AlterObjectSchemaStmt) -> None:
        schema = stmt.newschema or ""
        if stmt.objectType == ObjectType.OBJECT_TABLE:
            table = self._table(stmt.relation, missing_ok=bool(stmt.missing_ok))
            if table is not None:
                old = table.schema
                self._move_table(table, schema, table.name)
                for key in [k for k, i in self._indexes.items() if i.table is table]:
                    self._indexes[(schema, key[1])] = self._indexes.pop((old, key[1]))
        elif stmt.objectType in {ObjectType.OBJECT_TYPE, ObjectType.OBJECT_DOMAIN}:
            user = self._user_type(object_names(stmt.object))
            self._move_type(user, schema, user.name)

    def _move_table(self, table: Table, schema: str, name: str) -> None:
        if self._taken(schema, name):
            raise self._missing(f'relation "{schema}.{name}" already exists')
        del self.catalog.tables[(table.schema, table.name)]
        table.schema, table.name = schema, name
        self.catalog.tables[(schema, name)] = table
        for child in self._children(table):
            child.partition_of = (schema, name) if child.partition_of else None

    def _drop(self, stmt: ast.DropStmt) -> None:
        cascade = stmt.behavior == DropBehavior.DROP_CASCADE
        for obj in stmt.objects or ():
            if stmt.removeType == ObjectType.OBJECT_TABLE:
                names = strings(obj)
                relation = ast.RangeVar(schemaname=schema_of(names), relname=names[-1])
                table = self._find_table(relation)
                if table is None:
                    if stmt.missing_ok:
                        continue
                    raise self._missing(f'table "{".".join(names)}" does not exist')
                self._drop_table(table, cascade=cascade)
            elif stmt.removeType in {ObjectType.OBJECT_TYPE, ObjectType.OBJECT_DOMAIN}:
                names = object_names(obj)
                if self._drop_opaque(names):
                    continue
                user = self._find_type(names)
                if user is None:
                    if stmt.missing_ok:
                        continue
                    raise self._missing(f'type "{".".join(names)}" does not exist')
                self._drop_type(user, cascade=cascade)
            elif stmt.removeType == ObjectType.OBJECT_INDEX:
                self._drop_index(strings(obj))
            elif stmt.removeType == ObjectType.OBJECT_SCHEMA:
                self._drop_schema(obj.sval or "" if isinstance(obj, ast.String) else "", cascade)
            elif (
                stmt.removeType == ObjectType.OBJECT_PUBLICATION
                and isinstance(obj, ast.String)
                and obj.sval == REALTIME_PUBLICATION
            ):
                self.catalog.publish_via_partition_root = False

    def _drop_table(self, table: Table, *, cascade: bool) -> None:
        for child in self._children(table):
            if child.partition_of is None and not cascade:
                raise self._error(
                    f'cannot drop table "{table.name}" because table "{child.name}" inherits '
                    "from it (use CASCADE)"
                )
            self._drop_table(child, cascade=cascade)
        self._inherits = [(c, p) for c, p in self._inherits if table not in (c, p)]
        for key in [k for k, index in self._indexes.items() if index.table is table]:
            del self._indexes[key]
        self.catalog.tables.pop((table.schema, table.name), None)

    def _drop_index(self, names: list[str]) -> None:
        schemas = [names[-2]] if len(names) >= 2 else self.search_path
        for schema in schemas:
            index = self._indexes.pop((schema, names[-1]), None)
            if index is not None:
                if index.table.identity_index == index.columns:
                    index.table.identity_index = ()
                return

    def _drop_schema(self, schema: str, cascade: bool) -> None:
        tables = [t for t in self.catalog.tables.values() if t.schema == schema]
        types = [t for t in self.catalog.types.values() if t.schema == schema]
        if (tables or types) and not cascade:
            raise self._error(
                f'cannot drop schema "{schema}" because other objects depend on it (use CASCADE)'
            )
        for table in tables:
            if (table.schema, table.name) in self.catalog.tables:
                self._drop_table(table, cascade=True)
        for user in types:
            if (user.schema, user.name) in self.catalog.types:
                self._drop_type(user, cascade=True)
        for key in [k for k in self._opaque if k[0] == schema]:
            del self._opaque[key]

    def _comment(self, stmt: ast.CommentStmt) -> None:
        comment = stmt.comment or None
        if stmt.objtype == ObjectType.OBJECT_TABLE:
            names = object_names(stmt.object)
            table = self._table(ast.RangeVar(schemaname=schema_of(names), relname=names[-1]))
            assert table is not None
            table.comment = comment
        elif stmt.objtype == ObjectType.OBJECT_COLUMN:
            names = object_names(stmt.object)
            relation = ast.RangeVar(schemaname=schema_of(names[:-1]), relname=names[-2])
            found = self._find_table(relation)
            if found is not None:
                self._existing_column(found, names[-1]).comment = comment
            else:
                composite = self._composite(names[:-1])
                attribute = next((a for a in composite.attributes if a.name == names[-1]), None)
                if attribute is None:
                    raise self._missing(f'column "{names[-1]}" does not exist')
                attribute.comment = comment
        elif stmt.objtype in {ObjectType.OBJECT_TYPE, ObjectType.OBJECT_DOMAIN}:
            self._user_type(object_names(stmt.object)).comment = comment
