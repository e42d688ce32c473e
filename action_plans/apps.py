from django.apps import AppConfig


class ActionPlansConfig(AppConfig):
    name = "action_plans"

    def ready(self):
        # The register asks, the submission cycle answers: lapsing and its panels.
        from .register_hooks import connect  # noqa: PLC0415 - models load only once apps are ready

        connect()
