"""`opiekun demo`: demo data, idempotent — running it twice changes nothing.

About 300 contractors with valid NIPs and REGONs, 8 operators (an administrator and
an own-only operator among them), roles, branches, and a history written through
the services, so the audit trail shows it: handovers when people left and one
planned, deputies for holidays, absences with a deputy acting today, a legal caretaker
role and a branch-limited caretaker (the part-two story: `opiekun/management/demo_story.py`).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from opiekun.caretakers.models import Branch, CaretakerRole
from opiekun.caretakers.services import assignment_end, caretaker_add
from opiekun.contractors.models import Contractor
from opiekun.dates import today
from opiekun.management.demo_story import absences_and_deputies, hand_over
from opiekun.operators.models import Operator, UnassignedAccess, Visibility

PASSWORD = "demo"
LOGINS = [
    ("admin", "admin", "administrator: sees everything, assigns, edits dictionaries"),
    ("anna.nowak", PASSWORD, "sales manager: sees everything, assigns caretakers"),
    (
        "jan.kowalski",
        PASSWORD,
        "own-only operator: sees the contractors he cares for today, and read-only those"
        " with no caretaker today; cannot assign",
    ),
]

# username, first name, last name, sees all, may assign
OPERATORS = [
    ("admin", "Administrator", "Systemu", True, True),
    ("anna.nowak", "Anna", "Nowak", True, True),
    ("piotr.wisniewski", "Piotr", "Wiśniewski", True, True),
    ("katarzyna.wojcik", "Katarzyna", "Wójcik", True, False),
    ("tomasz.kaminski", "Tomasz", "Kamiński", True, False),
    ("magdalena.lewandowska", "Magdalena", "Lewandowska", True, False),
    ("michal.zielinski", "Michał", "Zieliński", True, False),
    ("jan.kowalski", "Jan", "Kowalski", False, False),
]

NAMES = [
    "Agro",
    "Bud",
    "Stal",
    "Trans",
    "Med",
    "Pol",
    "Eko",
    "Tech",
    "Drew",
    "Mleko",
    "Farb",
    "Elektro",
    "Inter",
    "Logi",
    "Hurt",
    "Serwis",
    "Opak",
    "Term",
    "Auto",
    "Szkło",
]
SUFFIXES = ["mex", "pol", "bud", "tex", "kom", "trans", "max", "plast", "met", "sys"]
FORMS = ["sp. z o.o.", "S.A.", "sp.j.", "s.c.", "sp. k."]
STREETS = ["Długa", "Kwiatowa", "Polna", "Leśna", "Słoneczna", "Ogrodowa", "Lipowa", "Brzozowa"]
CITIES = [
    ("00-001", "Warszawa"),
    ("30-001", "Kraków"),
    ("90-001", "Łódź"),
    ("50-001", "Wrocław"),
    ("60-001", "Poznań"),
    ("80-001", "Gdańsk"),
    ("70-001", "Szczecin"),
    ("20-001", "Lublin"),
]
CONTRACTORS = 300


def valid_nip(rng: random.Random) -> str:
    weights = (6, 5, 7, 2, 3, 4, 5, 6, 7)
    while True:
        digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(8)]
        check = sum(w * d for w, d in zip(weights, digits, strict=True)) % 11
        if check != 10:
            return "".join(map(str, digits)) + str(check)


def valid_regon(rng: random.Random) -> str:
    weights = (8, 9, 2, 3, 4, 5, 6, 7)
    digits = [rng.randint(0, 9) for _ in range(8)]
    check = sum(w * d for w, d in zip(weights, digits, strict=True)) % 11 % 10
    return "".join(map(str, digits)) + str(check)


class Command(BaseCommand):
    help = "Load demo data (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            operators = self._operators()
            roles, branches = self._dictionaries()
            if Contractor.objects.filter(code="K0001").exists():
                self.stdout.write("Demo data already loaded; logins refreshed.")
                return
            contractors = self._contractors()
            self._history(operators, roles, branches, [c.pk for c in contractors])
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data loaded: {len(contractors)} contractors, {len(operators)} operators."
            )
        )

    def _operators(self) -> dict[str, Operator]:
        result = {}
        for username, first, last, sees_all, may_assign in OPERATORS:
            user, _ = User.objects.get_or_create(username=username)
            user.first_name, user.last_name = first, last
            user.email = f"{username}@example.com"
            user.is_active = True
            user.is_staff = user.is_superuser = username == "admin"
            password = "admin" if username == "admin" else PASSWORD
            if not user.check_password(password):
                # Only a real change: a new password revokes the user's API tokens.
                user.set_password(password)
            user.save()
            operator, _ = Operator.objects.update_or_create(
                user=user,
                defaults={
                    "active": True,
                    "visibility": Visibility.ALL if sees_all else Visibility.OWN,
                    "unassigned_access": UnassignedAccess.READ_ONLY,
                    "can_assign": may_assign,
                    "can_manage_dictionaries": username in ("admin", "anna.nowak"),
                },
            )
            result[username] = operator
        return result

    def _dictionaries(self) -> tuple[dict[str, CaretakerRole], dict[str, Branch]]:
        roles = {
            "sales": CaretakerRole.objects.default().get(),
            "legal": CaretakerRole.objects.get_or_create(name="Opiekun prawny")[0],
            "service": CaretakerRole.objects.get_or_create(name="Opiekun serwisowy")[0],
        }
        branches = {
            code: Branch.objects.get_or_create(code=code, defaults={"name": name})[0]
            for code, name in (("WAW", "Warszawa"), ("KRK", "Kraków"), ("GDA", "Gdańsk"))
        }
        return roles, branches

    def _contractors(self) -> list[Contractor]:
        rng = random.Random(2026)
        admin = User.objects.get(username="admin")
        rows = []
        for number in range(1, CONTRACTORS + 1):
            postal, city = rng.choice(CITIES)
            name = f"{rng.choice(NAMES)}{rng.choice(SUFFIXES)} {rng.choice(FORMS)}"
            rows.append(
                Contractor(
                    code=f"K{number:04d}",
                    name=name,
                    nip=valid_nip(rng),
                    regon=valid_regon(rng),
                    street=f"ul. {rng.choice(STREETS)} {rng.randint(1, 120)}",
                    postal_code=postal,
                    city=city,
                    email=f"biuro{number}@example.pl",
                    phone=f"+48 {rng.randint(500, 799)} {rng.randint(100, 999)} {rng.randint(100, 999)}",
                    active=number % 37 != 0,
                    created_by=admin,
                )
            )
        created: list[Contractor] = bulk_create_with_history(rows, Contractor, default_user=admin)
        return created

    def _history(
        self,
        operators: dict[str, Operator],
        roles: dict[str, CaretakerRole],
        branches: dict[str, Branch],
        ids: list[int],
    ) -> None:
        """Two years of caretaking, told through the services."""
        admin = operators["admin"].user
        day = today()

        def ago(days: int) -> date:
            return day - timedelta(days=days)

        def add(contractors: list[int], who: str, start: Any, end: Any = None, **kw: Any) -> None:
            caretaker_add(
                actor=admin,
                contractor_ids=contractors,
                operator_id=operators[who].pk,
                date_from=start,
                date_to=end,
                **{"on_overlap": "replace", **kw},
            )

        sales = ["anna.nowak", "piotr.wisniewski", "katarzyna.wojcik", "tomasz.kaminski"]
        assigned = ids[:280]  # the last twenty have no caretaker at all
        groups = {who: assigned[i :: len(sales)] for i, who in enumerate(sales)}
        for who, group in groups.items():
            add(group, who, ago(730))
        # Katarzyna left the sales team half a year ago: Piotr took her clients over.
        hand_over(admin, operators["katarzyna.wojcik"], operators["piotr.wisniewski"], ago(180))
        # Holidays: Katarzyna stood in for Tomasz last summer; Anna stands in soon.
        add(groups["tomasz.kaminski"], "katarzyna.wojcik", ago(500), ago(486), type="deputy")
        add(
            groups["tomasz.kaminski"],
            "anna.nowak",
            day + timedelta(days=20),
            day + timedelta(days=34),
            type="deputy",
        )
        # Legal care, and a caretaker limited to the Kraków branch.
        add(assigned[:60], "magdalena.lewandowska", ago(400), role_id=roles["legal"].pk)
        add(assigned[60:90], "michal.zielinski", ago(300), branch_id=branches["KRK"].pk)
        add(assigned[90:110], "michal.zielinski", ago(200), role_id=roles["service"].pk, on_overlap="keep")
        # Jan, an own-only operator, took twenty clients over from Anna a month ago.
        hand_over(
            admin,
            operators["anna.nowak"],
            operators["jan.kowalski"],
            ago(30),
            contractor_ids=groups["anna.nowak"][:20],
            types=["main"],
        )
        # Michał's branch care ended last month for a few clients.
        from opiekun.caretakers.models import CaretakerAssignment

        for assignment_id in (
            CaretakerAssignment.objects.filter(operator=operators["michal.zielinski"], branch=branches["KRK"])
            .order_by("id")
            .values_list("pk", flat=True)[:5]
        ):
            assignment_end(actor=admin, assignment_id=assignment_id, date_to=ago(40))
        # Michał hands his service clients over to Magdalena in ten days (planned).
        hand_over(
            admin,
            operators["michal.zielinski"],
            operators["magdalena.lewandowska"],
            day + timedelta(days=10),
            role_ids=[roles["service"].pk],
        )
        absences_and_deputies(admin, operators, groups, day)
