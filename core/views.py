import hmac
import json

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import get_template
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from . import health
from .models import Theme
from .services import email_record_bounce


@require_GET
def home(request):
    themes = Theme.objects.filter(is_active=True)
    return render(request, "core/home.html", {"themes": themes})


@never_cache
@require_GET
def healthz(request):
    """Each service's state, within a second whatever is down. HTTP 503 only when the
    portal cannot answer at all (the database); with the cache, the broker or the workers
    down it still serves, degraded, and says so with HTTP 200. Only ITSS staff, signed in
    with their second factor, see the details (hosts, errors): the public sees ok or not."""
    results = health.run_checks()
    show_detail = _may_see_health_detail(request.user)
    checks = {
        name: {"ok": ok, "detail": detail} if show_detail else {"ok": ok}
        for name, (ok, detail) in results.items()
    }
    if all(ok for ok, _ in results.values()):
        status = "ok"
    elif all(results[name][0] for name in health.ESSENTIAL):
        status = "degraded"
    else:
        status = "down"
    return JsonResponse(
        {"status": status, "checks": checks}, status=503 if status == "down" else 200
    )


def _may_see_health_detail(user) -> bool:
    return bool(
        user.is_authenticated and getattr(user, "is_itss_staff", False) and is_mfa_enabled(user)
    )


@require_GET
def favicon(request):
    return redirect(static("img/favicon.svg"), permanent=True)


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    # Rendered without a request context: the failure may lie in a context processor.
    return HttpResponseServerError(get_template("errors/500.html").render())


@csrf_exempt
@require_POST
def mail_bounce(request):
    """Bounce reports from the mail provider: JSON ``{"message_id": ..., "reason": ...}``
    or a list of them, authorised by ``Authorization: Bearer <MAIL_BOUNCE_TOKEN>``.
    Without a token configured the address does not exist."""
    token = settings.MAIL_BOUNCE_TOKEN
    if not token:
        raise Http404
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), token.encode()):
        return JsonResponse({"error": "Not authorised."}, status=401)
    try:
        payload = json.loads(request.body)
    except (UnicodeDecodeError, ValueError):
        return JsonResponse({"error": "The body must be JSON."}, status=400)
    reports = payload if isinstance(payload, list) else [payload]
    if not reports or not all(
        isinstance(r, dict) and isinstance(r.get("message_id"), str) and r["message_id"].strip()
        for r in reports
    ):
        return JsonResponse(
            {"error": "Each report needs a message_id (text) and may give a reason."}, status=400
        )
    matched = 0
    for report in reports:
        reason = report.get("reason")
        bounced = email_record_bounce(
            message_id=report["message_id"], reason=reason if isinstance(reason, str) else ""
        )
        matched += bounced is not None
    return JsonResponse({"received": len(reports), "matched": matched})


@require_GET
def robots_txt(request):
    """Search engines may read the public pages; the rest is behind sign-in anyway, and the
    staff and account areas are not worth their while."""
    lines = [
        "User-agent: *",
        "Disallow: /accounts/",
        "Disallow: /staff/",
        "Disallow: /reviews/",
        "Disallow: /django-admin/",
        "Disallow: /hooks/",
        "Allow: /",
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
