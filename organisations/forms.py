from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.html import format_html

from core.validators import validate_pdf_upload
from core.widgets import DateInput

from .enums import OrganisationKind
from .models import EDITABLE_FIELDS, PUBLIC_DETAIL_FIELDS, Organisation
from .validators import validate_public_web_address


class PublicPageMixin:
    """The organisation's own page is fetched by the portal's weekly check: it must be on
    the public web."""

    def clean_tc_page_url(self):
        value = self.cleaned_data["tc_page_url"]
        if value:
            validate_public_web_address(value)
        return value


class OrganisationForm(PublicPageMixin, forms.ModelForm):
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional: recorded in the activity log.",
    )

    class Meta:
        model = Organisation
        fields = list(EDITABLE_FIELDS)
        help_texts = {
            "short_name": "As it is usually known, e.g. “UCL”.",
            "latitude": "Decimal degrees, for the map (e.g. 52.93855).",
            "longitude": "Decimal degrees, for the map (e.g. -1.19521).",
        }

    def clean_name(self):
        """Refuse a name already in the register (in any case), naming that organisation
        and linking to it, so staff go on with the record they already have."""
        name = self.cleaned_data["name"]
        namesake = Organisation.objects.filter(name__iexact=name).exclude(pk=self.instance.pk)
        existing = namesake.first()
        if existing is not None:
            raise forms.ValidationError(
                format_html(
                    "{} is already in the register ({}): "
                    '<a href="{}">open its record</a> to carry on, or give another name.',
                    existing.name,
                    existing.get_status_display().lower(),
                    existing.get_staff_url(),
                ),
                code="unique",
            )
        return name

    def clean(self):
        data = super().clean()
        region, country = data.get("region"), (data.get("country") or "").strip()
        if region == "outside_uk" and not country:
            self.add_error("country", "Give the country of an organisation outside the UK.")
        if region and region != "outside_uk" and country:
            self.add_error("country", "Leave the country empty for an organisation in the UK.")
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error("longitude", "Give both latitude and longitude, or neither.")
        return data


class EnquiryForm(OrganisationForm):
    enquiry_received_on = forms.DateField(
        widget=DateInput, initial=timezone.localdate, label="Enquiry received on"
    )

    def clean_enquiry_received_on(self):
        value = self.cleaned_data["enquiry_received_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("The enquiry date cannot be in the future.")
        return value


class TransitionForm(forms.Form):
    """A form for one onboarding step of ``organisation``."""

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation


class NoteForm(TransitionForm):
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional: recorded in the activity log.",
    )


class MeetingForm(NoteForm):
    held_on = forms.DateField(widget=DateInput, label="Meeting held on")

    field_order = ["held_on", "note"]


class SignedFormForm(NoteForm):
    signed_form = forms.FileField(
        label="Signed form (PDF)",
        validators=[validate_pdf_upload],
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )
    received_on = forms.DateField(widget=DateInput, label="Received on")
    head_name = forms.CharField(max_length=150, label="Head of organisation who signed")
    head_title = forms.CharField(
        max_length=150, label="Their title", help_text="E.g. Vice-Chancellor, Chief Executive."
    )
    lead_name = forms.CharField(max_length=150, label="Nominated lead")
    lead_email = forms.EmailField(label="Nominated lead's email")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = filesizeformat(settings.SIGNED_FORM_MAX_BYTES)
        self.fields["signed_form"].help_text = f"A PDF, up to {limit}."
        if self.organisation is not None and self.organisation.kind == OrganisationKind.SUPPORTER:
            # Supporters sign their own form, signed by a senior representative.
            self.fields["signed_form"].label = "Signed supporter form (PDF)"
            self.fields["head_name"].label = "Senior representative who signed"
            self.fields["head_title"].help_text = "E.g. Chief Executive, President."

    field_order = [
        "signed_form",
        "received_on",
        "head_name",
        "head_title",
        "lead_name",
        "lead_email",
        "note",
    ]


class AnnouncementForm(NoteForm):
    announced_on = forms.DateField(
        widget=DateInput,
        label="Announcement date",
        help_text="May be a date ahead, when the joint announcement is scheduled.",
    )
    announcement_url = forms.URLField(required=False, label="Link to the announcement")

    field_order = ["announced_on", "announcement_url", "note"]


class WithdrawForm(TransitionForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), help_text="Recorded in the activity log."
    )


class LapseForm(TransitionForm):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "Required: why it is lapsed, e.g. what was agreed with the head of the "
            "organisation. Recorded in the activity log with your name and the date."
        ),
    )


class RestoreForm(TransitionForm):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "Required: why it is restored. Recorded in the activity log with your name "
            "and the date."
        ),
    )


class PublicDetailsForm(PublicPageMixin, forms.ModelForm):
    """How the public finds the organisation's commitment and whom to ask about it."""

    class Meta:
        model = Organisation
        fields = list(PUBLIC_DETAIL_FIELDS)
        help_texts = {
            "tc_page_url": "Your own public page stating your commitment and action plan.",
            "contact_name": "The named person the public can contact about your commitment.",
        }
