from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import validate_totp_code
from allauth.mfa.utils import decrypt
from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.core.exceptions import ValidationError

from .enums import InvitationRole

CODE_ALREADY_USED = "This code has already been used. Wait for the next code."


class InvitationForm(forms.Form):
    name = forms.CharField(max_length=150, required=False, label="Their name")
    email = forms.EmailField(label="Their email address")
    role = forms.ChoiceField(choices=[])

    def __init__(self, *args, roles=(InvitationRole.LEAD, InvitationRole.CONTRIBUTOR), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r.value, r.label) for r in roles]
        if len(roles) == 1:
            self.fields["role"].initial = roles[0].value
            self.fields["role"].widget = forms.HiddenInput()


class AcceptInvitationForm(forms.Form):
    name = forms.CharField(
        max_length=150,
        label="Your full name",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password1 = forms.CharField(
        label="Choose a password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Type the password again",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "The two passwords do not match.")
        return data


class _ReusedCodeMessage:
    """allauth refuses a code used a moment ago with its generic "Incorrect code.";
    say what is wrong instead, so the person waits for the next code rather than
    doubting their app."""

    def clean_code(self):
        try:
            return super().clean_code()
        except ValidationError as exc:
            if exc.code == "incorrect_code" and self._is_current_code(self.cleaned_data["code"]):
                raise ValidationError(CODE_ALREADY_USED, code="code_already_used") from exc
            raise

    def _is_current_code(self, code: str) -> bool:
        # A code that is right for this moment was refused only because it was used.
        authenticator = Authenticator.objects.filter(
            user=self.user, type=Authenticator.Type.TOTP
        ).first()
        if authenticator is None:
            return False
        return validate_totp_code(decrypt(authenticator.data["secret"]), code)


class AuthenticateForm(_ReusedCodeMessage, mfa_forms.AuthenticateForm):
    """The second step of signing in (``MFA_FORMS["authenticate"]``)."""


class ReauthenticateForm(_ReusedCodeMessage, mfa_forms.ReauthenticateForm):
    """Confirming it's you before a sensitive change (``MFA_FORMS["reauthenticate"]``)."""
