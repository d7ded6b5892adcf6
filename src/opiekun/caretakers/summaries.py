"""The summary of a bulk change, kept so that it can be paged, filtered and exported.

Dodaj opiekuna answers with a summary of what happened to every selected contractor.
A selection may hold thousands, so the dialog shows one page at a time and offers the
whole list as CSV; web processes keep no state, so the outcomes are written to
``EXPORT_DIR/summary-<token>.json`` (beside the exports, swept with them after
``EXPORT_KEEP_HOURS``) and read back by whoever made the change, and nobody else.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

TOKEN = re.compile(r"^[A-Za-z0-9_-]{22}$")
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SummaryRow:
    contractor_id: int
    outcome: str
    note: str  # the caretakers the change met, as the user read them


def _path(token: str) -> Path:
    folder = Path(settings.EXPORT_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"summary-{token}.json"


def _sweep(folder: Path) -> None:
    oldest = time.time() - settings.EXPORT_KEEP_HOURS * 3600
    for path in folder.glob("summary-*.json"):
        try:
            if path.stat().st_mtime < oldest:
                path.unlink()
        except OSError:
            continue


def summary_save(*, user: Any, rows: list[SummaryRow]) -> str:
    """Keep the outcomes; the token names them for their author. The change is done
    by now: if the file cannot be written, the token is "" and the dialog shows the
    first page without paging, filter or CSV, rather than an error."""
    token = secrets.token_urlsafe(16)
    try:
        path = _path(token)
        _sweep(path.parent)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(
            json.dumps({"user_id": user.pk, "rows": [[r.contractor_id, r.outcome, r.note] for r in rows]}),
            encoding="utf-8",
        )
        os.replace(temporary, path)
    except OSError:
        logger.exception("the summary of a bulk change could not be kept")
        return ""
    return token


def summary_load(*, user: Any, token: str) -> list[SummaryRow] | None:
    """The outcomes if ``user`` made the change; None if unknown, expired or not theirs."""
    if not TOKEN.match(token):
        return None
    try:
        data = json.loads(_path(token).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("user_id") != getattr(user, "pk", None):
        return None
    return [SummaryRow(int(pk), str(outcome), str(note)) for pk, outcome, note in data["rows"]]
