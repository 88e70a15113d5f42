"""Print the current two-factor code of the demo accounts (``seed_demo``).

It knows only the published demo secret, never a real user's: any real
account's authenticator secret stays in its owner's app.
"""

from __future__ import annotations

from base64 import b32decode
from typing import Any

from django.core.management.base import BaseCommand
from django_otp.oath import TOTP

from poortwachter.management.commands.seed_demo import DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Toon de tweestapscode van nu voor de demo-accounts (seed_demo)."

    def handle(self, *args: Any, **options: Any) -> None:
        totp = TOTP(b32decode(DEMO_TOTP_SECRET))
        self.stdout.write(f"{totp.token():06d}")
