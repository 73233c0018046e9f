"""AGD-2, NOT-2: the day's list of appointments, each morning at 7:00 Paris time.

`send_day_lists` (`manage.py send_day_lists`) tells each professional who has appointments
today (`agenda.day`: their own agenda and their structures') — in the application and by e-mail,
each as their switches for "la liste des rendez-vous de la journée" say; whatever their mail
rhythm (the list is a morning mail already). Nobody without an appointment hears anything.

Sent once per person and Paris day: a `DayListSent` row is inserted with the notification and
the mail in one transaction, and a second run that day (or a second scheduler at once, held by
the unique row) sends nothing. Before 7:00 Paris it sends nothing, so the scheduler may run it
every few minutes in any time zone, on the days the clocks change too.

The mail goes through the outbox like every other: the times, the type and the agenda of each
appointment — never a title, a place, a note nor a patient; a private appointment is "Occupé".
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cordee.accounts.models import User
from cordee.agenda.day import DayLine, day_lists
from cordee.agenda.grid import MONTHS
from cordee.core import clock
from cordee.core.mail import absolute_url, queue_email
from cordee.notifications.kinds import CATALOGUE, Kind
from cordee.notifications.models import DayListSent, Notification, Preference

SENDING_HOUR = datetime.time(7, 0)
WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]


@dataclass(frozen=True)
class DayListRun:
    day: datetime.date
    told: int  # professionals told (application or mail)
    mailed: int
    already: int  # told earlier the same day
    early: bool = False  # before 7:00 Paris: nothing sent


def day_title(day: datetime.date) -> str:
    """ "jeudi 4 décembre 2026"."""
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


def agenda_link(day: datetime.date) -> str:
    return reverse("agenda:calendar") + f"?vue=jour&date={day.isoformat()}"


def send_day_lists(now: datetime.datetime | None = None) -> DayListRun:
    """Tell today's lists (Paris), once each; nothing before 7:00 Paris."""
    moment = clock.local(now or timezone.now())
    day = clock.date_of(moment)
    if moment.time() < SENDING_HOUR:
        return DayListRun(day, 0, 0, 0, early=True)
    lists = day_lists(day)
    if not lists:
        return DayListRun(day, 0, 0, 0)
    done = set(DayListSent.objects.filter(day=day, user_id__in=list(lists)).values_list("user_id", flat=True))
    switched = {
        user_id: (by_mail, in_app)
        for user_id, by_mail, in_app in Preference.objects.filter(
            user_id__in=list(lists), kind=Kind.DAY_LIST
        ).values_list("user_id", "by_mail", "in_app")
    }
    people = User.objects.filter(pk__in=[pk for pk in lists if pk not in done], is_active=True).values_list(
        "pk", "email"
    )
    told = mailed = 0
    already = len(done)
    for user_id, email in people:
        by_mail, in_app = switched.get(user_id, (True, True))
        by_mail = by_mail and bool(email)
        if not (by_mail or in_app):
            continue
        result = _tell(user_id, email, day, lists[user_id], by_mail=by_mail, in_app=in_app)
        if result is None:
            already += 1
            continue
        told += 1
        mailed += result
    return DayListRun(day, told, mailed, already)


def _tell(
    user_id: int, email: str, day: datetime.date, lines: list[DayLine], *, by_mail: bool, in_app: bool
) -> int | None:
    """One person's list in one transaction: None when another run told them first."""
    table = connection.ops.quote_name(DayListSent._meta.db_table)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (user_id, day, sent_at) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",  # noqa: S608
                [user_id, day, timezone.now()],
            )
            if cursor.rowcount != 1:
                return None
        if in_app:
            Notification.objects.create(
                recipient_id=user_id,
                kind=Kind.DAY_LIST,
                data={"day": day.isoformat(), "count": len(lines)},
            )
        if by_mail:
            queue_email(
                [email], f"{CATALOGUE[Kind.DAY_LIST].mail_subject} ({day_title(day)})", mail_body(day, lines)
            )
            return 1
    return 0


def mail_body(day: datetime.date, lines: list[DayLine]) -> str:
    return render_to_string(
        "notifications/email/day_list.txt",
        {
            "title": day_title(day),
            "lines": [(line.when(day), line.label, ", ".join(line.agendas)) for line in lines],
            "link": absolute_url(agenda_link(day)),
            "preferences": absolute_url(reverse("notifications:preferences")),
        },
    )
