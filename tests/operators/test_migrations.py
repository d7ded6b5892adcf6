"""operators/0002: tokens issued before expiry existed expire one lifetime after they
were issued."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone


def test_existing_tokens_get_an_expiry_from_their_issue_date(transactional_db: Any, settings: Any) -> None:
    settings.API_TOKEN_LIFETIME = timedelta(days=90)
    before, after = [("operators", "0002_absence")], [("operators", "0003_apitoken_expires_at")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old_state = executor.loader.project_state(before).apps
    issued = timezone.now() - timedelta(days=100)
    user = User.objects.create_user("old-timer")
    token = old_state.get_model("operators", "ApiToken").objects.create(
        user_id=user.pk, prefix="opk_old", digest="0" * 64
    )
    old_state.get_model("operators", "ApiToken").objects.filter(pk=token.pk).update(created_at=issued)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    new_state = executor.loader.project_state(after).apps
    migrated = new_state.get_model("operators", "ApiToken").objects.get(pk=token.pk)
    assert migrated.expires_at == issued + timedelta(days=90)
    assert migrated.expires_at < timezone.now()  # already expired: it stops working at once

    # Leave the schema as the other tests expect it, later migrations included.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
