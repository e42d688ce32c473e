from django.apps import AppConfig

from organisations.kinds import kind_register

from .kind import SIGNATORY


class SignatoriesConfig(AppConfig):
    name = "signatories"
    verbose_name = "Signatories"

    def ready(self):
        kind_register(SIGNATORY)
