"""For migrations that rebuild `caretakers_caretakerassignment` on SQLite (any
AddField with a default, AlterField, RemoveField…): SQLite copies the table into a
new one and the invariant triggers of 0002_invariants are lost with the old one.
Such a migration runs `recreate_sqlite_triggers` after the rebuild.

The name starts with an underscore, so Django's loader does not take it for a migration.
"""

from importlib import import_module
from typing import Any

_invariants = import_module("opiekun.caretakers.migrations.0002_invariants")


def recreate_sqlite_triggers(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in _invariants.SQLITE_BACKWARD:
        schema_editor.execute(statement.replace("DROP TRIGGER", "DROP TRIGGER IF EXISTS"))
    for statement in _invariants.SQLITE_FORWARD:
        schema_editor.execute(statement)
