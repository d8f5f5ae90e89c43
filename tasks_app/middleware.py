"""Request-wide guards: body size, NUL in query parameters, atomic writes, and the
Content-Security-Policy of every answer.

Each one exists because a request once did harm outside the view it reached: a 5 MB body
parsed before anyone looked at its size, a register call that answered 500 after its row was
committed (every later list then crashed on it), pages that ran any script injected into them.
"""
from django.conf import settings
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from .limits import max_request_bytes

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


class RequestSizeLimitMiddleware:
    """413 for a body whose declared length passes MYSTOCKS_MAX_REQUEST_BYTES, before anything reads it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = max_request_bytes()
        if length <= limit:
            return self.get_response(request)
        detail = _("request body too large: %(length)d bytes (limit %(limit)d)") % {"length": length, "limit": limit}
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": detail, "errors": {}}, status=413)
        return HttpResponse(detail, status=413, content_type="text/plain; charset=utf-8")


class NulInQueryMiddleware:
    """400 for a query parameter holding a NUL character, on every door.

    PostgreSQL text cannot hold NUL, so any filter of a page or the admin given one (``?q=%00``)
    failed in the database with a 500. The API refuses every control character itself
    (``api.base``), in its JSON error format; this covers pages, admin and the rest at one depth.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):  # the API's own check answers in its error format
            return self.get_response(request)
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                detail = _("query parameter %(name)s must not contain a NUL character") % {
                    "name": name.replace("\x00", "\\x00")}
                return HttpResponse(detail, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class AtomicWritesMiddleware:
    """Every write request (POST, PUT, PATCH, DELETE) runs in one transaction, rolled back on any error answer.

    Django's ATOMIC_REQUESTS would also wrap reads, and on SQLite (IMMEDIATE transactions) every
    page view would then take the write lock. Celery messages sent with ``on_commit`` leave when
    this transaction commits, so a rolled-back request enqueues nothing either.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in SAFE_METHODS:
            return self.get_response(request)
        with transaction.atomic():
            response = self.get_response(request)
            if response.status_code >= 400:
                transaction.set_rollback(True)
        return response


class ContentSecurityPolicyMiddleware:
    """The Content-Security-Policy header (settings.MYSTOCKS_CSP) on every answer: scripts only from files we serve.

    The pages have no inline script or style (widths come as data attributes set by pages.js).
    The admin and the browsable API / Swagger UI put style="" in their markup, so under
    MYSTOCKS_CSP_INLINE_STYLE_PATHS inline styles are allowed; scripts stay files-only everywhere.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "MYSTOCKS_CSP", "")
        if not policy or "Content-Security-Policy" in response:
            return response
        if request.path.startswith(tuple(getattr(settings, "MYSTOCKS_CSP_INLINE_STYLE_PATHS", ()))):
            policy = policy.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
        response["Content-Security-Policy"] = policy
        return response
