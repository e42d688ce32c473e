"""Signing in: through the real forms, or by session cookie where signing in is not the point."""

import time

from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.conf import settings
from django.test import Client

from tests.conftest import totp_window_with_time_left

PASSWORD = "correct-horse-battery"  # what tests.factories.UserFactory gives everyone
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # a fixed authenticator for staff


def with_known_totp(user, secret: str = TOTP_SECRET):
    """Give ``user`` an authenticator app whose codes the test can compute."""
    TOTP.activate(user, secret)
    return user


def totp_code(secret: str = TOTP_SECRET) -> str:
    """The code the authenticator shows now, from a window with time left for typing
    and posting it (see ``totp_window_with_time_left``)."""
    totp_window_with_time_left()
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def sign_in_with_password(page, email: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def enter_totp_code(page, secret: str = TOTP_SECRET) -> None:
    page.get_by_label("Code").fill(totp_code(secret))
    page.get_by_role("button", name="Sign in").click()


def sign_in_by_cookie(context, user, *, url: str) -> None:
    """Give the browser context a session for ``user`` without the sign-in forms."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": url}])
