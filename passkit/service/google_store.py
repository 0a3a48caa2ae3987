"""What the Google sender keeps in the registry's database: each class's last hash, and the
notifying messages each object got (`NotificationBudget` shared by every sender)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from passkit.service import schema
from passkit.service.database import reading, writing
from passkit.service.notification_budget import DAILY_NOTIFICATIONS, WINDOW
from passkit.service.store import now_utc

classes, notifications = schema.google_classes, schema.google_notifications


class DatabaseNotificationBudget:
    """A `NotificationBudget` in the database: several senders share one count per object."""

    def __init__(self, engine: Engine, per_window: int = DAILY_NOTIFICATIONS) -> None:
        self.engine = engine
        self.per_window = per_window

    def take(self, object_id: str, now: datetime) -> bool:
        with writing(self.engine) as connection:
            if connection.dialect.name == "postgresql":
                # One object's count at a time (SQLite's write transactions are serial).
                connection.execute(
                    sa.text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": object_id}
                )
            used = connection.execute(
                sa.select(sa.func.count()).where(
                    (notifications.c.object_id == object_id)
                    & (notifications.c.sent_at > now - WINDOW)
                )
            ).scalar_one()
            if used >= self.per_window:
                return False
            connection.execute(notifications.insert().values(object_id=object_id, sent_at=now))
            return True


class ClassHashes:
    """The hash of the class JSON each Google class was last written with."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def get(self, class_id: str) -> str | None:
        query = sa.select(classes.c.class_hash).where(classes.c.class_id == class_id)
        with reading(self.engine) as connection:
            found: str | None = connection.execute(query).scalar()
        return found

    def put(self, class_id: str, class_hash: str) -> None:
        values = {"class_hash": class_hash, "updated_at": now_utc()}
        with writing(self.engine) as connection:
            done = connection.execute(
                classes.update().where(classes.c.class_id == class_id).values(**values)
            )
            if done.rowcount == 0:
                connection.execute(classes.insert().values(class_id=class_id, **values))
