from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse

from core.services import email_queue


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        # Accounts are created only by accepting an invitation.
        return False

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
