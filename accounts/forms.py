from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html

from .enums import InvitationRole


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
