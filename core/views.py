from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import get_template
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import health
from .models import Theme


@require_GET
def home(request):
    themes = Theme.objects.filter(is_active=True)
    return render(request, "core/home.html", {"themes": themes})


@never_cache
@require_GET
def healthz(request):
    results = {}
    healthy = True
    for name, check in health.CHECKS.items():
        ok, detail = check()
        healthy = healthy and ok
        results[name] = {"ok": ok, "detail": detail}
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", "checks": results},
        status=200 if healthy else 503,
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
