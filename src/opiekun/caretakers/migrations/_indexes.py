"""For migrations that give an existing index INCLUDEd columns on PostgreSQL (0007, 0009):
the index keeps its name and key, so Django's migration state is unchanged, and SQLite,
which has no INCLUDE, keeps the plain index.

The name starts with an underscore, so Django's loader does not take it for a migration.
"""

from typing import Any

from django.db import migrations


def covering_index(*, index: str, table: str, key: str, include: str) -> migrations.RunPython:
    """Rebuild ``index`` on ``table`` ``key`` with ``INCLUDE (include)`` on PostgreSQL;
    backwards, without it."""
    covering = f"CREATE INDEX {index} ON {table} {key} INCLUDE ({include})"
    plain = f"CREATE INDEX {index} ON {table} {key}"

    def replace(create: str) -> Any:
        def run(apps: Any, schema_editor: Any) -> None:
            if schema_editor.connection.vendor != "postgresql":
                return
            schema_editor.execute(f"DROP INDEX IF EXISTS {index}")
            schema_editor.execute(create)

        return run

    return migrations.RunPython(replace(covering), replace(plain), elidable=False)
