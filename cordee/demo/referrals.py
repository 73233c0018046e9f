"""DEM-1 / ACC-8 demo: the DAC Azur Coordination listed as a resource team and a few requests
on its dashboard, sent by the demo nurse and pediatrician, some answered, assigned or cancelled."""

from __future__ import annotations

import datetime

from cordee.accounts.models import Membership, Structure
from cordee.core.actor import Actor
from cordee.directory.models import ResourceTeam
from cordee.referrals import services
from cordee.referrals.models import Motif, Referral, SpecialisedService
from cordee.territory.models import Commune

REQUESTS = [
    (
        "infirmiere",
        "Lefebvre",
        "Marcelle",
        datetime.date(1938, 4, 12),
        "F",
        "06088",
        "situation-complexe",
        "Patiente isolée, chutes répétées, refus d'aide à domicile : appui pour coordonner le parcours.",
    ),
    (
        "infirmiere",
        "Garnier",
        "Robert",
        datetime.date(1945, 9, 3),
        "M",
        "06004",
        "sortie-hospitalisation",
        "Retour à domicile prévu vendredi après une fracture du col : organiser les passages et le matériel.",
    ),
    (
        "pediatre",
        "Morel",
        "Inès",
        datetime.date(2025, 6, 30),
        "F",
        "06088",
        "information-orientation",
        "Famille en difficulté, demande d'orientation vers un accompagnement social et psychologique.",
    ),
    (
        "infirmiere",
        "",
        "",
        None,
        "",
        "06029",
        "soutien-aidants",
        "Aidante épuisée (époux atteint de troubles cognitifs) : solutions de répit ?",
    ),
]


def load_referrals() -> None:
    dac = Structure.objects.get(name="DAC Azur Coordination")
    ResourceTeam.objects.get_or_create(
        structure=dac,
        defaults={
            "is_listed": True,
            "carries_identity": True,
            "description": "Appui à la coordination des parcours complexes, tous âges et toutes "
            "pathologies, sur le littoral des Alpes-Maritimes.",
        },
    )
    var = Structure.objects.filter(name="DAC Var Littoral").first()
    if var is not None:
        ResourceTeam.objects.get_or_create(
            structure=var,
            defaults={
                "is_listed": True,
                "carries_identity": False,
                "description": "Demandes anonymisées : information et orientation sur le Var littoral.",
            },
        )
    if Referral.objects.exists():
        return
    coordinator = Membership.objects.select_related("user", "structure").get(
        user__username="coordinatrice", structure=dac
    )
    team = Actor(coordinator.user, coordinator)
    for index, (username, name, first, born, sex, commune, motif, detail) in enumerate(REQUESTS):
        membership = (
            Membership.objects.select_related("user", "structure").filter(user__username=username).first()
        )
        if membership is None:
            continue
        referral = services.create_referral(
            Actor(membership.user, membership),
            services.NewReferral(
                team=dac,
                motif=Motif.objects.get(code=motif),
                detail=detail,
                birth_name=name,
                first_name=first,
                birth_date=born,
                sex=sex,
                commune=Commune.objects.filter(code=commune).first(),
            ),
        )
        if index == 0:
            referral = services.answer(
                team, referral, "Nous prenons contact avec la patiente cette semaine.", 1
            )
            services.update_handling(
                team,
                referral,
                assignee=coordinator.user,
                external=False,
                service=SpecialisedService.objects.get(code="em-geriatrie"),
                version=referral.version,
            )
        elif index == 3:
            services.cancel(team, referral, "Demande adressée en double par erreur.", 1)
