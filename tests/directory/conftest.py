import pytest
from django.core.files.storage import storages

from organisations.models import Organisation


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path, monkeypatch):
    """Signed forms go to this test's own private and public media folders.

    The shared folder under /tmp is removed when a pytest-xdist worker finishes,
    possibly while another worker is still writing a form into it. The field's
    storage is looked up again after the settings change, as at start-up."""
    settings.MEDIA_ROOT = str(tmp_path / "public")
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": settings.PRIVATE_MEDIA_ROOT, "base_url": None},
        },
    }
    field = Organisation._meta.get_field("signed_form")
    monkeypatch.setattr(field, "storage", storages["private"])
    return tmp_path
