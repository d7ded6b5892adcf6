"""`opiekun workload-rebuild`: recompute the Operatorzy page's workload steps from scratch."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from opiekun.operators.workload_rebuild import workload_steps_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the operators' workload steps (the Operatorzy page's counts) from the "
        "assignments. Needed only after assignments were written around the services (raw SQL, "
        "a restore of one table); every write through Opiekun keeps them in step."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        steps = workload_steps_rebuild()
        if options["verbosity"]:
            self.stdout.write(f"{steps} workload steps.")
