"""Contractors that share a NIP: a branch of one company may share it, so a save is
never refused for it, but the form warns of them, as enova365 does. Only contractors
the user may see are named."""

from __future__ import annotations

from typing import Any

from opiekun.contractors.models import Contractor
from opiekun.operators.access import visible_contractors

SHOWN = 5  # codes named at most


def same_nip(*, viewer: Any, contractor: Contractor) -> list[str]:
    """The codes of the visible contractors other than ``contractor`` with its NIP (at
    most `SHOWN`, in code order; the index of NIP and code answers it)."""
    if not contractor.nip:
        return []
    others = visible_contractors(viewer=viewer).exclude(pk=contractor.pk).filter(nip=contractor.nip)
    return list(others.order_by("code").values_list("code", flat=True)[:SHOWN])
