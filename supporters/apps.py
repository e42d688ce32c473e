from django.apps import AppConfig

from organisations.kinds import kind_register

from .kind import SUPPORTER


class SupportersConfig(AppConfig):
    name = "supporters"
    verbose_name = "Supporters"

    def ready(self):
        kind_register(SUPPORTER)
