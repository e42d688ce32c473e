import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value

from tests.factories import MembershipFactory, StaffFactory

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.mark.django_db
def test_totp_secret_is_stored_encrypted_and_still_validates():
    import time

    user = StaffFactory()
    TOTP.activate(user, SECRET)
    stored = Authenticator.objects.get(user=user).data["secret"]
    assert SECRET not in stored
    code = format_hotp_value(hotp_value(SECRET, int(time.time()) // 30))
    assert TOTP(Authenticator.objects.get(user=user)).validate_code(code) is True


@pytest.mark.django_db
def test_staff_cannot_switch_two_factor_off():
    from allauth.mfa.totp.forms import DeactivateTOTPForm

    authenticator = TOTP.activate(StaffFactory(), SECRET).instance
    form = DeactivateTOTPForm(data={}, authenticator=authenticator)
    assert form.is_valid() is False
    assert form.non_field_errors() == ["You cannot deactivate two-factor authentication."]


@pytest.mark.django_db
def test_a_lead_may_switch_optional_two_factor_off():
    from allauth.mfa.adapter import get_adapter

    user = MembershipFactory().user
    authenticator = TOTP.activate(user, SECRET).instance
    assert get_adapter().can_delete_authenticator(authenticator) is True
