from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat


def validate_pdf_upload(upload) -> None:
    """Accept a PDF judged by its content, not its name, and no larger than the cap."""
    limit = settings.SIGNED_FORM_MAX_BYTES
    if upload.size == 0:
        raise ValidationError("The file is empty.")
    if upload.size > limit:
        raise ValidationError(
            f"The file is {filesizeformat(upload.size)}; the limit is {filesizeformat(limit)}."
        )
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(max(upload.size - 2048, 0))
    tail = upload.read()
    upload.seek(0)
    if b"%PDF-" not in head[:1024] or b"%%EOF" not in tail:
        raise ValidationError(
            "This file is not a PDF. Please upload the signed form as a PDF document."
        )
