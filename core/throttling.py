from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle

from core.http import client_address


class ClientRateThrottle(AnonRateThrottle):
    """The API's limit per client, counting behind our own proxies the address they saw
    (never an X-Forwarded-For entry the client wrote itself)."""

    def get_rate(self):
        # Read when asked, not when DRF was imported, so the configured rate is the one used.
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def get_ident(self, request):
        return client_address(request)
