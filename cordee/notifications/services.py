"""NOT-1: telling the people concerned, after the change commits, in multi-row inserts.

Services call `announce` inside their transaction; the notifications are written once it
commits (a rolled-back change tells nobody), in one multi-row insert per event, with their
e-mails put in the outbox (`cordee.core.mail`) in the same transaction — the worker writes
and sends them. The recipients are found in one query whatever their number (`fan_out`).

Who is told (the issue's "Recipients"):
- for a dossier event, the dossier's circle — a habilitated professional, or a member of a
  habilitated structure (acting for it) — who may read the event's section of the dossier
  under the rights matrix, never someone the patient refused sharing with; or, when the event
  names its people (a task's recipients), those of them who may;
- never the author of the change;
- never someone who switched the event off (Mail and Application each on their own).
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cordee.accounts.models import Membership, Structure, User
from cordee.careteam.access import visible_among
from cordee.careteam.models import CircleMember, RightsRule
from cordee.core import clock
from cordee.core.actor import Actor
from cordee.core.bulk import insert_rows
from cordee.core.mail import absolute_url, queue_email
from cordee.notifications.kinds import CATALOGUE, Kind
from cordee.notifications.models import DossierRead, MailRhythm, Notification, Preference
from cordee.patients.models import Patient

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Announcement:
    """An event to tell, as ids (it outlives the request's objects until the commit)."""

    kind: str
    author: int | None = None
    author_structure: int | None = None
    patient: int | None = None
    circle: bool = False
    users: tuple[int, ...] = ()
    structures: tuple[int, ...] = ()
    skip: tuple[int, ...] = ()
    skip_structures: tuple[int, ...] = ()
    check_access: bool = True
    data: dict[str, Any] = field(default_factory=dict)
    # A last say on each recipient (user id, via structure), for items read under rules of their
    # own (a shared document, a restricted category).
    admit: Callable[[int, int | None], bool] | None = field(default=None, compare=False)


def announce(
    kind: Kind,
    actor: Actor | None,
    *,
    patient: Patient | None = None,
    circle: bool = False,
    users: Iterable[User | int] = (),
    structures: Iterable[Structure | int] = (),
    skip: Iterable[User | int] = (),
    skip_structures: Iterable[Structure | int] = (),
    check_access: bool = True,
    data: dict[str, Any] | None = None,
    admit: Callable[[int, int | None], bool] | None = None,
) -> Announcement:
    """Tell an event once the caller's transaction commits.

    `circle`: the dossier's whole circle; `users` / `structures`: the people an event names (a
    structure stands for its active members); `skip` / `skip_structures`: people told of the
    same change by another event (a task's recipients hear "affectée", not also "ajoutée");
    `check_access=False`: the named people are told although the dossier is closed to them (the
    habilitation they lost) — the entry then names no one."""
    announcement = Announcement(
        kind=str(kind),
        author=actor.user.pk if actor else None,
        author_structure=actor.structure.pk if actor and actor.structure else None,
        patient=patient.pk if patient is not None else None,
        circle=circle,
        users=tuple(_pk(user) for user in users),
        structures=tuple(_pk(structure) for structure in structures),
        skip=tuple(_pk(user) for user in skip),
        skip_structures=tuple(_pk(structure) for structure in skip_structures),
        check_access=check_access,
        data=data or {},
        admit=admit,
    )
    # robust: the change is committed whatever happens here; a failure is logged, not a 500.
    transaction.on_commit(lambda: fan_out(announcement), robust=True)
    return announcement


def _pk(value: Any) -> int:
    return value if isinstance(value, int) else int(value.pk)


def fan_out(announcement: Announcement) -> int:
    """Write the notifications and queue the e-mails of one event, in one transaction; returns
    how many notifications were written.

    Set-based, whatever the number of people told: one query finds the recipients with all that
    decides for each (their path to the dossier, the rights matrix, their switches, their mail
    rhythm), one multi-row insert writes the notifications, one the mails — whose text is written
    by the worker when it sends them (renderer "notifications.event"). `test_recipients` pins the
    count of queries; no model object is built per recipient."""
    event = CATALOGUE[announcement.kind]
    with transaction.atomic():
        people = _people(announcement, event.section)
        if announcement.author is not None:
            people.pop(announcement.author, None)
        if announcement.skip or announcement.skip_structures:
            for user_id in _members(announcement.skip, announcement.skip_structures):
                people.pop(user_id, None)
        if announcement.admit is not None:
            people = {user_id: p for user_id, p in people.items() if announcement.admit(user_id, p[0])}
        if not people:
            return 0
        # (via, email, daily digest, Mail switch, Application switch): no row, both switches on.
        told = [(user_id, via) for user_id, (via, _, _, _, in_app) in people.items() if in_app is not False]
        _insert_notifications(announcement, told)
        # An event whose service sends its own mail (the activation link) is not mailed twice.
        addresses = (
            []
            if event.own_mail
            else [
                email
                for _, (_, email, digest, by_mail, _) in people.items()
                if email and not digest and by_mail is not False
            ]
        )
        if addresses:
            queue_email(addresses, event.mail_subject, renderer=MAIL_RENDERER, kind=announcement.kind)
    return len(told)


MAIL_RENDERER = "notifications.event"


def _insert_notifications(announcement: Announcement, told: list[tuple[int, int | None]]) -> None:
    """One multi-row INSERT: what the rows share prepared once, each row its id, recipient, path."""
    insert_rows(
        Notification,
        ("public_id", "recipient", "via_structure"),
        [(uuid.uuid4(), user_id, via) for user_id, via in told],
        {
            "kind": announcement.kind,
            "patient": announcement.patient,
            "author": announcement.author,
            "author_structure": announcement.author_structure,
            "data": announcement.data,
            "created_at": timezone.now(),
        },
    )


def _mail_body(kind: str) -> str:
    """The mail's text (renderer "notifications.event", written when the worker sends it): what
    happened and the links, from the catalogue alone."""
    event = CATALOGUE[kind]
    return render_to_string(
        "notifications/email/notification.txt",
        {
            "sentence": event.mail,
            "note": event.mail_note,
            "link": absolute_url(reverse("notifications:centre")),
            "preferences": absolute_url(reverse("notifications:preferences")),
        },
    )


def _members(users: tuple[int, ...], structures: tuple[int, ...]) -> dict[int, int | None]:
    """The people named, each with the structure that names them (None: in person)."""
    named: dict[int, int | None] = dict.fromkeys(users)
    if structures:
        for user_id, structure_id in Membership.objects.filter(
            structure_id__in=structures, is_active=True
        ).values_list("user_id", "structure_id"):
            named.setdefault(user_id, structure_id)
    return named


# A recipient as `_people` finds them: (via structure, e-mail, daily digest, Mail switch,
# Application switch) — a switch is None where they chose nothing (the default: on).
_Person = tuple[int | None, str, bool, bool | None, bool | None]


def _people(announcement: Announcement, section: str | None) -> dict[int, _Person]:
    """The recipients and how each is reached, before the author and the skipped people."""
    named = _members(announcement.users, announcement.structures)
    if announcement.patient is not None and announcement.check_access:
        reach = _dossier_reach(announcement.patient, section, announcement.kind)
        if announcement.circle:
            return reach
        # A named person the dossier is closed to (since) is not told.
        return {user_id: person for user_id, person in reach.items() if user_id in named}
    if not named:
        return {}
    ids = list(named)
    sql, params = _details_sql(
        announcement.kind, f"{connection.ops.quote_name(User._meta.db_table)} u", "NULL"
    )
    sql += f" WHERE u.is_active AND u.id IN ({', '.join(['%s'] * len(ids))})"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *ids])
        return {
            user_id: (named[user_id], email, bool(digest), by_mail, in_app)
            for user_id, _, email, digest, by_mail, in_app in cursor.fetchall()
        }


def _details_sql(kind: str, source: str, via: str) -> tuple[str, list[Any]]:
    """What decides how each person is told: their e-mail, mail rhythm and switches for `kind`
    (`source` names the users `u`; `via` is their path's structure)."""
    quote = connection.ops.quote_name
    rhythms, preferences = (quote(model._meta.db_table) for model in (MailRhythm, Preference))
    sql = (
        f"SELECT u.id, {via}, u.email,"  # noqa: S608 - model tables
        f" EXISTS (SELECT 1 FROM {rhythms} r WHERE r.user_id = u.id AND r.daily_digest),"
        " s.by_mail, s.in_app"
        f" FROM {source} LEFT JOIN {preferences} s ON s.user_id = u.id AND s.kind = %s"
    )
    return sql, [kind]


def _dossier_reach(patient_id: int, section: str | None, kind: str) -> dict[int, _Person]:
    """Who may read `section` of the dossier, through which circle row — their own (None), or a
    structure's they are an active member of — as `careteam.access.standing` grants it
    (habilitated, live, not refused by the patient; the matrix by profession and the roles of
    the rows they stand on), with how each is told: one query, whatever the circle.

    A person reached both ways is told in their own name when their own row opens the section,
    otherwise through the first structure (by id) whose row, with theirs, opens it."""
    quote = connection.ops.quote_name
    circle, memberships, users, rules = (
        quote(model._meta.db_table) for model in (CircleMember, Membership, User, RightsRule)
    )
    roles = quote(CircleMember.roles.through._meta.db_table)
    paths = (
        f"WITH live AS (SELECT id, user_id, structure_id, is_habilitated, sharing_refused FROM {circle}"  # noqa: S608 - model tables
        " WHERE patient_id = %s AND removed_at IS NULL AND NOT is_manual),"
        " paths AS ("
        # Their own habilitated row…
        " SELECT l.user_id AS user_id, CAST(NULL AS BIGINT) AS via, l.id AS own_row,"
        " CAST(NULL AS BIGINT) AS structure_row FROM live l WHERE l.is_habilitated AND l.user_id IS NOT NULL"
        " UNION ALL"
        # …or a habilitated structure's, with their own habilitated row's roles if they have one.
        " SELECT m.user_id, l.structure_id, o.id, l.id FROM live l"
        f" JOIN {memberships} m ON m.structure_id = l.structure_id AND m.is_active"
        " LEFT JOIN live o ON o.user_id = m.user_id AND o.is_habilitated"
        " WHERE l.is_habilitated AND l.structure_id IS NOT NULL) "
    )
    details, params = _details_sql(kind, f"paths p JOIN {users} u ON u.id = p.user_id", "p.via")
    where = (
        " WHERE u.is_active"
        " AND NOT EXISTS (SELECT 1 FROM live r WHERE r.user_id = p.user_id AND r.sharing_refused)"
    )
    if section:
        # The matrix (CIR-2): a rule reading the section whose profession and role are "any" or
        # the person's — a role held on their own row or on the structure's row they stand on.
        where += (
            f" AND EXISTS (SELECT 1 FROM {rules} x WHERE x.section = %s AND x.can_read"  # noqa: S608 - model tables
            " AND x.theme_id IS NULL"
            " AND (x.profession_id IS NULL OR x.profession_id = u.profession_id)"
            f" AND (x.role_id IS NULL OR x.role_id IN (SELECT h.circlerole_id FROM {roles} h"
            " WHERE h.circlemember_id = p.own_row OR h.circlemember_id = p.structure_row)))"
        )
        params.append(section)
    order = " ORDER BY p.user_id, CASE WHEN p.via IS NULL THEN 0 ELSE 1 END, p.via"
    reach: dict[int, _Person] = {}
    with connection.cursor() as cursor:
        cursor.execute(paths + details + where + order, [patient_id, *params])
        for user_id, via, email, digest, by_mail, in_app in cursor.fetchall():
            if user_id not in reach:
                reach[user_id] = (via, email, bool(digest), by_mail, in_app)
    return reach


def dossier_read(actor: Actor, patient: Patient) -> None:
    """ "Un professionnel accède à un dossier": told once per reader, dossier and Paris day.

    The process remembers the reads it saw today (its cache), so a dossier's next pages cost no
    query; the first read a process sees inserts a row the unique constraint turns away when
    another process was first. The circle is told only by the read that inserted."""
    day = clock.today()
    if not cache.add(f"cordee:dossier-read:{actor.user.pk}:{patient.public_id}:{day}", True, 24 * 3600):
        return
    table = connection.ops.quote_name(DossierRead._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (reader_id, patient_id, day) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",  # noqa: S608
            [actor.user.pk, patient.pk, day],
        )
        first = cursor.rowcount == 1
    if first:
        announce(Kind.DOSSIER_READ, actor, patient=patient, circle=True)


def unread_count(user: User, cap: int = 100) -> int:
    """The bell: counted on the unread index, up to `cap` (shown "99+")."""
    return len(
        Notification.objects.filter(recipient=user, read_at__isnull=True).values_list("pk", flat=True)[:cap]
    )


def mark_read(user: User, notification: Notification) -> None:
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())


def mark_all_read(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def set_preference(user: User, kind: str, channel: str, enabled: bool) -> Preference:
    """One switch; the row holds both channels (the other keeps its value or default)."""
    if kind not in CATALOGUE or channel not in ("mail", "app"):
        raise ValueError("Préférence inconnue.")
    column = "by_mail" if channel == "mail" else "in_app"
    with transaction.atomic():
        try:
            with transaction.atomic():
                preference, _ = Preference.objects.get_or_create(user=user, kind=kind)
        except IntegrityError:  # two switches at once: the other request made the row
            preference = Preference.objects.get(user=user, kind=kind)
        Preference.objects.filter(pk=preference.pk).update(**{column: enabled})
        preference.refresh_from_db()
    return preference


def preferences_of(user: User) -> dict[str, tuple[bool, bool]]:
    """(mail, application) for every event, the seed's default where the user chose nothing."""
    chosen = {
        kind: (by_mail, in_app)
        for kind, by_mail, in_app in Preference.objects.filter(user=user).values_list(
            "kind", "by_mail", "in_app"
        )
    }
    return {kind: chosen.get(kind, (True, True)) for kind in CATALOGUE}


def visible_patient_ids(user: User, pairs: Iterable[tuple[int | None, int]]) -> set[tuple[int | None, int]]:
    """Which (via structure, dossier) pairs the user may see now — the entry names the patient
    only then. Through a structure they left, only their own rights remain."""
    wanted: dict[int | None, set[int]] = defaultdict(set)
    for via, patient_id in pairs:
        wanted[via].add(patient_id)
    structures = [via for via in wanted if via is not None]
    memberships = (
        {
            m.structure_id: m
            for m in Membership.objects.filter(
                user=user, structure_id__in=structures, is_active=True
            ).select_related("structure")
        }
        if structures
        else {}
    )
    seen: set[tuple[int | None, int]] = set()
    for via, ids in wanted.items():
        membership = memberships.get(via) if via is not None else None
        visible = visible_among(Actor(user, membership), ids)
        seen |= {(via, patient_id) for patient_id in visible}
    return seen


def set_daily_digest(user: User, daily: bool) -> MailRhythm:
    """The summary counts from the moment it is chosen: nothing already mailed is told again."""
    rhythm, _ = MailRhythm.objects.get_or_create(user=user)
    if daily and not rhythm.daily_digest:
        rhythm.last_digest_at = timezone.now()
    rhythm.daily_digest = daily
    rhythm.save()
    return rhythm


def daily_digest(user: User) -> bool:
    return MailRhythm.objects.filter(user=user, daily_digest=True).exists()


def send_digests() -> int:
    """The daily summary (`manage.py send_digests`, 7:00 Paris time): to each professional who
    chose it, how many notifications of each event whose Mail switch is on arrived since the
    last summary and are still unread — counts and a link, never what they are about. The day's
    list of appointments is not counted: it is a morning mail of its own, sent whatever the rhythm."""
    now = timezone.now()
    sent = 0
    for rhythm in MailRhythm.objects.filter(daily_digest=True, user__is_active=True).select_related("user"):
        mailed = {
            kind
            for kind, (by_mail, _) in preferences_of(rhythm.user).items()
            if by_mail and CATALOGUE[kind].in_digest
        }
        counts = (
            Notification.objects.filter(
                recipient=rhythm.user,
                read_at__isnull=True,
                created_at__gt=rhythm.last_digest_at,
                created_at__lte=now,
                kind__in=mailed,
            )
            .values("kind")
            .annotate(count=Count("pk"))
            .order_by("kind")
        )
        lines = [(CATALOGUE[row["kind"]].mail, row["count"]) for row in counts]
        with transaction.atomic():
            MailRhythm.objects.filter(pk=rhythm.pk).update(last_digest_at=now)
            if lines and rhythm.user.email:
                queue_email(
                    [rhythm.user.email],
                    "Cordée — votre récapitulatif du jour",
                    render_to_string(
                        "notifications/email/digest.txt",
                        {
                            "lines": lines,
                            "link": absolute_url(reverse("notifications:centre")),
                            "preferences": absolute_url(reverse("notifications:preferences")),
                        },
                    ),
                )
                sent += 1
    return sent
