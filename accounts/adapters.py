import base64
import hashlib

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.urls import reverse

from core.http import client_address
from core.services import email_queue, email_subject_render


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        # Accounts are created only by accepting an invitation.
        return False

    def render_mail(self, template_prefix, email, context, headers=None):
        message = super().render_mail(template_prefix, email, context, headers=headers)
        # allauth renders the subject as HTML; it is plain text on one line.
        message.subject = self.format_email_subject(
            email_subject_render(template_name=f"{template_prefix}_subject.txt", context=context)
        )
        return message

    def send_mail(self, template_prefix, email, context):
        """Route allauth's messages (password reset, verification) through the outbox."""
        message = self.render_mail(template_prefix, email, context)
        html = ""
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                html = content
        email_queue(
            to=message.to,
            subject=message.subject,
            body_text=message.body,
            body_html=html,
            template=template_prefix,
        )

    def get_login_redirect_url(self, request):
        return reverse("accounts:home")

    def get_client_ip(self, request):
        """The address sign-in rate limits count against: the client's, behind our own
        proxies too (allauth's would raise, answering 500, on a short X-Forwarded-For)."""
        return client_address(request)


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator):
        # Staff and reviewers must keep a second factor; they may replace it via
        # the ITSS team, not switch it off themselves.
        return not authenticator.user.requires_two_factor

    def encrypt(self, text: str) -> str:
        """TOTP secrets are stored encrypted, keyed from the site's secret."""
        return _fernet().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        try:
            return _fernet().decrypt(encrypted_text.encode()).decode()
        except InvalidToken:
            # A secret stored before encryption was turned on.
            return encrypted_text


def _fernet() -> Fernet:
    key = settings.MFA_ENCRYPTION_KEY or settings.SECRET_KEY
    digest = hashlib.sha256(f"tc-portal-mfa:{key}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))
