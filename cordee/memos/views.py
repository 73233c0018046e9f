"""The dossier's memos (ACT-2): the panel with its filters, and the memo dialog."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cordee.careteam.access import Perm, can, get_dossier
from cordee.core.http import AuthedRequest, parse_uuid, wants_partial
from cordee.memos import services
from cordee.memos.forms import MemoDeleteForm, MemoEditForm, MemoFilterForm, MemoForm
from cordee.memos.models import Memo, MemoShare
from cordee.patients.models import Patient

DOSSIER_PAGE_MEMOS = 5


# What the list and the dialog show of a circle member (`CircleMember.display_name`, the
# dialog's label): read alone, a dossier's dozens of members and their users are cheap to build.
MEMBER_SHOWN = (
    "public_id",
    "user",
    "structure",
    "manual_is_structure",
    "manual_last_name",
    "manual_first_name",
    "user__username",
    "user__last_name",
    "user__first_name",
    "structure__name",
)


def _memo_form(
    request: AuthedRequest, patient: Patient, cls: type[MemoForm] = MemoForm, **kwargs: object
) -> MemoForm:
    return cls(
        request.POST if request.method == "POST" else None,
        members=services.share_choices(patient).only(*MEMBER_SHOWN),
        acting_as_structure=request.actor.is_acting_as_structure,
        **kwargs,
    )


def _shown(memos: QuerySet[Memo], limit: int | None = None) -> list[Memo]:
    """The memos with what the panel shows of them: author, structure, and the names of who a
    shared memo is shared with (`memo.share_names`, read by one query, none without memos)."""
    shown = memos.select_related("created_by", "structure").only(
        *(field.name for field in Memo._meta.concrete_fields),
        "created_by__username",
        "created_by__last_name",
        "created_by__first_name",
        "structure__name",
    )
    rows = list(shown[:limit] if limit is not None else shown)
    names: dict[int, list[str]] = {memo.pk: [] for memo in rows}
    if rows:
        shares = (
            MemoShare.objects.filter(memo__in=list(names))
            .select_related("member__user", "member__structure")
            .only("memo", *(f"member__{field}" for field in MEMBER_SHOWN))
            .order_by("pk")
        )
        for share in shares:
            names[share.memo_id].append(share.member.display_name)
    for memo in rows:
        memo.share_names = names[memo.pk]  # type: ignore[attr-defined]
    return rows


def _with_rights(request: AuthedRequest, patient: Patient, rows: list[Memo]) -> list[tuple[Memo, bool]]:
    for memo in rows:
        memo.patient = patient  # the dossier as the policy served it: its standing is computed once
    return [(memo, services.may_change(request.actor, memo)) for memo in rows]


def memo_panel(request: AuthedRequest, patient: Patient, *, on_dossier: bool = False) -> dict[str, object]:
    """The memos the actor may read, filtered as asked, with what each may do to them (on the
    dossier page: the latest few, no filters, no dialog)."""
    visible = services.visible_memos(request.actor, patient)
    if on_dossier:
        rows = _shown(visible, DOSSIER_PAGE_MEMOS)
        return {
            "memos": _with_rights(request, patient, rows),
            "may_write_memos": can(request.actor, Perm.WRITE_MEMOS, patient),
        }
    authors = sorted(
        {
            (str(public_id), f"{last.upper()} {first}")
            for public_id, last, first in visible.values_list(
                "created_by__public_id", "created_by__last_name", "created_by__first_name"
            )
            if public_id
        },
        key=lambda choice: choice[1],
    )
    filters = MemoFilterForm(request.GET or None, authors=authors)
    memos = visible
    if filters.is_valid():
        data = filters.cleaned_data
        if data["q"]:
            words = data["q"].strip()
            memos = memos.filter(Q(title__icontains=words) | Q(text__icontains=words))
        if data["visibilite"]:
            memos = memos.filter(visibility=data["visibilite"])
        author = parse_uuid(data["auteur"])
        if author is not None:
            memos = memos.filter(created_by__public_id=author)
    rows = _shown(memos)
    may_write = can(request.actor, Perm.WRITE_MEMOS, patient)
    return {
        "memos": _with_rights(request, patient, rows),
        "memo_filters": filters,
        "memo_filtered": bool(request.GET and filters.is_valid() and any(filters.cleaned_data.values())),
        "may_write_memos": may_write,
        "memo_form": _memo_form(request, patient) if may_write else None,
    }


def memo_list(request: AuthedRequest, public_id: str) -> HttpResponse:
    patient = get_dossier(request.actor, public_id, Perm.VIEW_MEMOS, what="mémos")
    context = {"patient": patient, **memo_panel(request, patient)}
    if wants_partial(request):
        return render(request, "memos/_memo_list.html", context)
    return render(request, "memos/list.html", context)


def _report(form: MemoForm, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _given(form: MemoForm) -> services.MemoInput:
    data = form.cleaned_data
    return services.MemoInput(
        title=data["title"],
        text=data["text"],
        visibility=data["visibility"],
        shared_with=tuple(data["shared_with"]),
    )


def memo_create(request: AuthedRequest, public_id: str) -> HttpResponse:
    patient = get_dossier(request.actor, public_id, Perm.WRITE_MEMOS, what="nouveau mémo")
    form = _memo_form(request, patient)
    if request.method == "POST" and form.is_valid():
        try:
            memo = services.create_memo(request.actor, patient, _given(form))
        except ValidationError as exc:
            _report(form, exc)
        else:
            messages.success(request, f"Le mémo « {memo.title} » est ajouté.")
            return redirect("memos:list", public_id=patient.public_id)
    return render(request, "memos/memo_form.html", {"patient": patient, "form": form, "memo": None})


def _memo(request: AuthedRequest, patient: Patient, memo_id: str) -> Memo:
    """A memo the actor may read on this dossier; any other does not exist for them."""
    wanted = parse_uuid(memo_id)
    memo = services.visible_memos(request.actor, patient).filter(public_id=wanted).first() if wanted else None
    if memo is None:
        raise Http404
    memo.patient = patient
    return memo


def memo_edit(request: AuthedRequest, public_id: str, memo_id: str) -> HttpResponse:
    patient = get_dossier(request.actor, public_id, Perm.WRITE_MEMOS, what="modification d'un mémo")
    memo = _memo(request, patient, memo_id)
    if not services.may_change(request.actor, memo):
        raise PermissionDenied
    initial = {
        "title": memo.title,
        "text": memo.text,
        "visibility": memo.visibility,
        "shared_with": [share.member.public_id for share in memo.shares.select_related("member")],
        "version": memo.version,
    }
    form = _memo_form(request, patient, MemoEditForm, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_memo(
                request.actor, memo, _given(form), expected_version=form.cleaned_data["version"]
            )
        except services.StaleMemoError as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            _report(form, exc)
        else:
            messages.success(request, f"Le mémo « {form.cleaned_data['title']} » est modifié.")
            return redirect("memos:list", public_id=patient.public_id)
    return render(request, "memos/memo_form.html", {"patient": patient, "form": form, "memo": memo})


@require_POST
def memo_delete(request: AuthedRequest, public_id: str, memo_id: str) -> HttpResponse:
    patient = get_dossier(request.actor, public_id, Perm.WRITE_MEMOS, what="suppression d'un mémo")
    memo = _memo(request, patient, memo_id)
    form = MemoDeleteForm(request.POST)
    if not services.may_change(request.actor, memo):
        raise PermissionDenied
    if not form.is_valid():
        messages.error(request, "Le mémo n'a pas été supprimé : rechargez la page et recommencez.")
    else:
        try:
            services.delete_memo(request.actor, memo, expected_version=form.cleaned_data["version"])
        except services.StaleMemoError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Le mémo « {memo.title} » est supprimé.")
    return redirect("memos:list", public_id=patient.public_id)
