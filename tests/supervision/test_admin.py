"""The Django admin shows notification preferences and due-soon reminders, read-only: they change only
through the settings page and the sweep."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client

from tests.conftest import World
from tests.factories import UserFactory
from zhenggai.supervision.models import DueSoonReminder, NotificationPreference


def test_admin_lists_preferences_and_reminders_without_letting_them_be_changed(
    world: World, client: Client
) -> None:
    NotificationPreference.objects.create(user=world.staff_a, muted_kinds=["weekly"])
    reminder = DueSoonReminder.objects.create(measure=world.measure_a, deadline=dt.date(2030, 6, 30))
    admin: Any = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)

    listed = client.get("/admin/supervision/notificationpreference/")
    assert listed.status_code == 200
    assert "staff_a" in listed.content.decode()
    reminders = client.get("/admin/supervision/duesoonreminder/")
    assert reminders.status_code == 200
    assert world.measure_a.code in reminders.content.decode()

    assert client.get("/admin/supervision/indicatornotice/").status_code == 200
    assert client.get("/admin/supervision/duesoonreminder/add/").status_code == 403
    change = client.post(
        f"/admin/supervision/duesoonreminder/{reminder.pk}/change/", {"deadline": "2031-01-01"}
    )
    assert change.status_code == 403
    reminder.refresh_from_db()
    assert reminder.deadline == dt.date(2030, 6, 30)
