from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = "Public directory"

    def ready(self):
        # Cached public pages go out of date when what they show changes.
        from .cache import connect  # noqa: PLC0415 - models load only once apps are ready

        connect()
