"""The two-factor code the tests post is the server's code when it arrives."""

import time

import time_machine
from allauth.mfa.totp.internal.auth import generate_totp_secret, validate_totp_code

from tests.accounts.people import current_totp_code
from tests.conftest import put_clock_back

WINDOW_ENDS = 1_800_000_000  # a multiple of 30: a two-factor window starts here


def test_a_code_asked_for_at_a_windows_last_moment_comes_from_the_next_window():
    secret = generate_totp_secret()
    with time_machine.travel(WINDOW_ENDS - 0.5, tick=False):
        code = current_totp_code(secret)
        asked_at = time.time()
        accepted = validate_totp_code(secret, code)
        put_clock_back()

    assert WINDOW_ENDS <= asked_at < WINDOW_ENDS + 1
    assert accepted is True


def test_a_code_asked_for_early_in_a_window_leaves_the_clock_alone():
    secret = generate_totp_secret()
    with time_machine.travel(WINDOW_ENDS + 5, tick=False):
        code = current_totp_code(secret)

        assert time.time() == WINDOW_ENDS + 5
        assert validate_totp_code(secret, code) is True
