"""Daily series: a beat schedule (editable in the admin), one run a day, the content calendar."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from accounts.models import Role
from broadcasts import lifecycle
from broadcasts.models import Broadcast, CampaignDay, MessageTemplate
from tests.factories.people import CitizenFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def series(world, awareness, checker, settings) -> Broadcast:  # type: ignore[no-untyped-def]
    settings.BROADCAST_APPROVAL_THRESHOLD = 1
    CitizenFactory.create_batch(3, station=world.station)
    draft = lifecycle.create_broadcast(
        district=world.district,
        title="Police Mitan daily",
        template=awareness,
        parameters=["Kabirdham"],
        by=world.user(Role.CYBER_CELL),
        recurrence="daily",
        send_time=dt.time(10, 30),
    )
    lifecycle.submit_broadcast(broadcast=draft, by=world.user(Role.CYBER_CELL))
    return lifecycle.approve_broadcast(broadcast=draft, by=checker)


def test_an_approved_series_gets_a_daily_crontab_in_ist(series) -> None:
    assert series.status == Broadcast.Status.RECURRING
    task = PeriodicTask.objects.get(pk=series.periodic_task_id)
    assert (task.crontab.hour, task.crontab.minute, str(task.crontab.timezone)) == (
        "10",
        "30",
        "Asia/Kolkata",
    )
    assert task.task == "broadcasts.launch_series_run" and task.enabled


def test_a_series_needs_its_checker_before_any_schedule_exists(world, awareness, settings) -> None:
    settings.BROADCAST_APPROVAL_THRESHOLD = 1
    CitizenFactory.create_batch(3, station=world.station)
    draft = lifecycle.create_broadcast(
        district=world.district,
        title="x",
        template=awareness,
        parameters=["K"],
        by=world.user(Role.CYBER_CELL),
        recurrence="daily",
        send_time=dt.time(9, 0),
    )
    lifecycle.submit_broadcast(broadcast=draft, by=world.user(Role.CYBER_CELL))
    assert not PeriodicTask.objects.filter(name=f"broadcast-series-{draft.pk}").exists()
    assert lifecycle.launch_series_run(series_id=draft.pk) is None


def test_each_day_gets_exactly_one_run(series) -> None:
    day = dt.date(2026, 11, 23)
    first = lifecycle.launch_series_run(series_id=series.pk, run_date=day)
    again = lifecycle.launch_series_run(series_id=series.pk, run_date=day)
    assert first == again
    assert first.status == Broadcast.Status.SCHEDULED
    assert first.approved_by == series.approved_by
    assert lifecycle.launch_series_run(series_id=series.pk, run_date=day + dt.timedelta(1)) != first
    assert series.runs.count() == 2


def test_the_run_carries_the_calendar_message_of_its_day(world, series, templates) -> None:
    day = dt.date(2026, 11, 24)
    invite = MessageTemplate.objects.get(name="complaint_acknowledgement", language="hi")
    CampaignDay.objects.create(
        district=world.district,
        date=day,
        topic="women_safety",
        template=invite,
        parameters=["Cantt", "demo"],
        created_by=world.user(Role.CYBER_CELL),
    )
    run = lifecycle.launch_series_run(series_id=series.pk, run_date=day)
    assert (run.template, run.parameters, run.topic) == (invite, ["Cantt", "demo"], "women_safety")


def test_pausing_or_cancelling_a_series_disables_its_schedule(world, series) -> None:
    cyber = world.user(Role.CYBER_CELL)
    lifecycle.pause_broadcast(broadcast=series, by=cyber)
    assert not PeriodicTask.objects.get(pk=series.periodic_task_id).enabled
    assert lifecycle.launch_series_run(series_id=series.pk) is None
    lifecycle.resume_broadcast(broadcast=series, by=cyber)
    assert PeriodicTask.objects.get(pk=series.periodic_task_id).enabled
    lifecycle.cancel_broadcast(broadcast=series, by=cyber)
    assert not PeriodicTask.objects.get(pk=series.periodic_task_id).enabled


def test_calendar_page_adds_a_day_and_refuses_a_duplicate(world, login, awareness) -> None:
    client = login(world.user(Role.CYBER_CELL))
    data = {
        "district": world.district.pk,
        "date": "2030-01-05",
        "topic": "traffic",
        "template": awareness.pk,
        "parameter_1": "Varanasi",
    }
    assert client.post(reverse("broadcasts:calendar"), data).status_code == 302
    again = client.post(reverse("broadcasts:calendar"), data)
    assert again.status_code == 200 and again.context["form"].errors
    assert CampaignDay.objects.count() == 1
    assert CampaignDay.objects.get().parameters == ["Varanasi"]


def test_calendar_is_404_for_station_roles(world, login) -> None:
    assert login(world.user(Role.STATION_IC)).get(reverse("broadcasts:calendar")).status_code == 404
