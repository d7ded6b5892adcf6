"""The import of assignments, looking up the names that repeat from row to row: the
operators (by login), roles and branches a file names, each kind in one query, and
each combination of the three a row gives looked up once for the whole file."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from django.utils.translation import gettext as _

import opiekun.bulk  # noqa: F401  (the ``in_list`` look-up)
from opiekun.caretakers.models import Branch, CaretakerRole
from opiekun.importing import shown
from opiekun.operators.models import Operator

Fault = tuple[str | None, str]  # (the column's title, the message)
# A login, role and branch looked up: operator, role and branch ids (None or False:
# wrong), the faults a row naming them reports, those of the inactive ones.
Found = tuple[int | None, int | None, int | bool | None, list[Fault], list[Fault]]


class Names:
    """The operators, roles and branches of one file; `find` answers for a row."""

    def __init__(self, title: Mapping[str, str], logins: set[str]) -> None:
        self.title = title
        self.operators = self._operators(logins)
        self.roles, self.default_role = self._roles()
        self.branches = self._branches()
        self.found: dict[tuple[str, str, str], Found] = {}

    def find(self, login: str, role: str, branch: str) -> Found:
        """A row's login, role and branch: their ids (None or False: not found), the
        faults a row naming them reports (in its order: operator, role, branch), and
        the faults of those inactive (reported unless the row exists as it is)."""
        key = (login, role, branch)
        found = self.found.get(key)
        if found is None:
            faults: list[Fault] = []
            inactive: list[Fault] = []
            operator_id = self._operator(login, self.operators, faults, inactive) if login else None
            role_id = self._role(role, self.roles, self.default_role, faults, inactive)
            branch_id = self._branch(branch, self.branches, faults, inactive)
            found = self.found[key] = (operator_id, role_id, branch_id, faults, inactive)
        return found

    # operators

    @staticmethod
    def _operators(names: set[str]) -> dict[str, tuple[int, bool, str]]:
        """``login -> (id, active, name)``."""
        logins = sorted(names)
        if not logins:
            return {}
        found = Operator.objects.filter(user__username__in_list=logins).values_list(
            "user__username", "pk", "active", "user__is_active", "user__first_name", "user__last_name"
        )
        return {
            login: (pk, active and user_active, f"{first} {last}".strip() or login)
            for login, pk, active, user_active, first, last in found
        }

    def _operator(
        self,
        login: str,
        operators: Mapping[str, tuple[int, bool, str]],
        faults: list[Fault],
        inactive: list[Fault],
    ) -> int | None:
        found = operators.get(login)
        column = self.title.get("operator_login")
        if found is None:
            faults.append((column, _("Unknown operator %(login)s.") % {"login": shown(login)}))
            return None
        pk, active, name = found
        if not active:
            inactive.append((column, _("Operator %(name)s is inactive.") % {"name": name}))
        return pk

    # roles and branches: small dictionaries, read whole

    def _roles(self) -> tuple[dict[str, list[tuple[int, str, bool]]], tuple[int, str, bool] | None]:
        roles: dict[str, list[tuple[int, str, bool]]] = defaultdict(list)
        default = None
        for pk, name, active, is_default in CaretakerRole.objects.values_list(
            "pk", "name", "active", "is_default"
        ):
            entry = (pk, name, active)
            roles[name.strip().lower()].append(entry)
            roles[str(pk)].append(entry)
            if is_default:
                default = entry
        return roles, default

    def _role(
        self,
        role: str,
        roles: Mapping[str, list[tuple[int, str, bool]]],
        default: tuple[int, str, bool] | None,
        faults: list[Fault],
        inactive: list[Fault],
    ) -> int | None:
        column = self.title.get("role")
        if not role:
            if default is None:
                faults.append((column, _("There is no default role; choose one.")))
                return None
            return default[0]
        found = roles.get(role.lower(), [])
        if not found:
            faults.append((column, _("Unknown role %(value)s.") % {"value": shown(role)}))
            return None
        pk, name, active = found[0]
        if not active:
            inactive.append((column, _("Role %(name)s is inactive.") % {"name": name}))
        return pk

    def _branches(self) -> tuple[dict[str, tuple[int, str, bool]], dict[str, list[tuple[int, str, bool]]]]:
        by_code: dict[str, tuple[int, str, bool]] = {}
        by_name: dict[str, list[tuple[int, str, bool]]] = defaultdict(list)
        for pk, code, name, active in Branch.objects.values_list("pk", "code", "name", "active"):
            by_code[code.strip().lower()] = (pk, name, active)
            by_name[name.strip().lower()].append((pk, name, active))
        return by_code, by_name

    def _branch(
        self,
        branch: str,
        branches: tuple[dict[str, tuple[int, str, bool]], dict[str, list[tuple[int, str, bool]]]],
        faults: list[Fault],
        inactive: list[Fault],
    ) -> int | bool | None:
        """The branch's id, None for no branch, False when wrong (reported)."""
        if not branch:
            return None
        by_code, by_name = branches
        column = self.title.get("branch")
        key = branch.lower()
        found = by_code.get(key)
        if found is None:
            named = by_name.get(key, [])
            if len(named) > 1:
                faults.append(
                    (
                        column,
                        _("Several branches are named %(value)s; give the branch's code.")
                        % {"value": shown(branch)},
                    )
                )
                return False
            found = named[0] if named else None
        if found is None:
            faults.append((column, _("Unknown branch %(value)s.") % {"value": shown(branch)}))
            return False
        pk, name, active = found
        if not active:
            inactive.append((column, _("Branch %(name)s is inactive.") % {"name": name}))
        return pk
