from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cordee.demo.region import load_demo


class Command(BaseCommand):
    help = "Charge la région de démonstration (idempotent) et affiche les comptes de démonstration."

    def handle(self, *args: Any, **options: Any) -> None:
        for username, password, role in load_demo():
            self.stdout.write(f"Compte démo : {username} / {password} — {role}")
