"""Staff import of the register from a CSV file: upload, dry run, confirm."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.views.decorators.http import require_http_methods, require_POST

from core.exceptions import ApplicationError
from core.permissions import require_perm

from ..imports import COLUMNS, REQUIRED_COLUMNS, decode_upload, import_apply, preview


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file", widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = filesizeformat(settings.IMPORT_CSV_MAX_BYTES)
        self.fields["file"].help_text = f"A CSV file, up to {limit}."

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.IMPORT_CSV_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {filesizeformat(upload.size)}; the limit is {filesizeformat(limit)}."
            )
        raw = upload.read()
        if b"\x00" in raw:
            raise forms.ValidationError("This is not a CSV file (it contains binary data).")
        try:
            return decode_upload(raw)
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from exc


class ImportConfirmForm(forms.Form):
    content = forms.CharField(widget=forms.HiddenInput, strip=False)

    def clean_content(self):
        content = self.cleaned_data["content"]
        if len(content.encode()) > settings.IMPORT_CSV_MAX_BYTES:
            raise forms.ValidationError("The file is too large.")
        return content


def _context(**extra):
    return {"columns": COLUMNS, "required_columns": REQUIRED_COLUMNS, **extra}


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    require_perm(request, "organisations.import_organisations")
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["file"]
        result = preview(text)
        return render(
            request,
            "organisations/organisation_import.html",
            _context(
                form=ImportUploadForm(),
                preview=result,
                confirm_form=ImportConfirmForm(initial={"content": text})
                if result.is_valid
                else None,
                filename=request.FILES["file"].name,
            ),
            status=200 if result.is_valid else 400,
        )
    return render(
        request,
        "organisations/organisation_import.html",
        _context(form=form),
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def import_confirm(request):
    require_perm(request, "organisations.import_organisations")
    form = ImportConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The import could not be read; upload the file again.")
        return redirect("organisations:import_upload")
    try:
        result = import_apply(actor=request.user, text=form.cleaned_data["content"])
    except ApplicationError as exc:
        return render(
            request,
            "organisations/organisation_import.html",
            _context(
                form=ImportUploadForm(),
                preview=preview(form.cleaned_data["content"]),
                error=exc.message,
            ),
            status=400,
        )
    summary = result.summary
    messages.success(
        request,
        f"Import complete: {summary['create']} created, "
        f"{summary['update']} updated, {summary['unchanged']} unchanged.",
    )
    return redirect("organisations:pipeline")
