from django.core.files.storage import storages


def private_storage():
    """Storage for files that only permission-checking views may serve."""
    return storages["private"]
