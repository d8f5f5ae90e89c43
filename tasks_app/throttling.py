"""Brute-force protection for every login door: the admin and page login forms and the API token endpoint.

Failed logins are counted per username and per client address in the "throttle" cache (Redis,
shared by every web process, when the broker is Redis; process memory otherwise). Past a limit
the door answers 429 with Retry-After, *before* checking the password: while locked, even the
right password does not get in, so guessing gains nothing from going on.

Limits (README: Hardening): 5 failures per username or 30 per address within 15 minutes. A
person mistyping gets several tries; a guesser gets 5 per account every 15 minutes instead of
130 in 39 seconds. Locking per username lets anyone lock an account out for 15 minutes; the
address limit alone would not stop a botnet, so the trade is made for the account.
"""
import hashlib
import json

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

LOGIN_VIEWS = ("admin:login", "login", "api-token")


def _cache():
    return caches["throttle"]


def _window():
    return getattr(settings, "MYSTOCKS_LOGIN_WINDOW_SECONDS", 900)


def _limits():
    return {"user": getattr(settings, "MYSTOCKS_LOGIN_FAILURES_PER_USER", 5),
            "address": getattr(settings, "MYSTOCKS_LOGIN_FAILURES_PER_ADDRESS", 30)}


def client_address(request):
    """The client's address: REMOTE_ADDR (a reverse proxy must set it, e.g. gunicorn's --forwarded-allow-ips)."""
    return (getattr(request, "META", {}) or {}).get("REMOTE_ADDR", "") or "unknown"


def _keys(*, username, address):
    user = hashlib.sha256((username or "").strip().lower().encode()).hexdigest()[:32]
    return {"user": f"login-failures:user:{user}", "address": f"login-failures:addr:{address}"}


def is_locked(*, username, address):
    """Whether logins for ``username`` or from ``address`` are refused right now."""
    keys, limits = _keys(username=username, address=address), _limits()
    counts = _cache().get_many(list(keys.values()))
    return any((counts.get(keys[kind]) or 0) >= limits[kind] for kind in keys)


def record_failure(*, username, address):
    """Count one failed login against the username and the address (each window starts at its first failure)."""
    cache = _cache()
    for key in _keys(username=username, address=address).values():
        cache.add(key, 0, timeout=_window())
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=_window())


def count_failed_login(sender, credentials, request=None, **kwargs):
    """Receives user_login_failed (connected in apps.py), which every failed authenticate() sends:
    the login forms and DRF's token serializer alike."""
    record_failure(username=credentials.get("username", ""), address=client_address(request))


def posted_username(request):
    """The username a login POST carries (form fields or the token endpoint's JSON)."""
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            return ""
        return str(body.get("username", "")) if isinstance(body, dict) else ""
    return request.POST.get("username", "")


class LoginThrottleMiddleware:
    """Answers 429 to a login POST while its username or address is locked, before any password check."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if request.method != "POST" or match is None or match.view_name not in LOGIN_VIEWS:
            return None
        if not is_locked(username=posted_username(request), address=client_address(request)):
            return None
        return too_many_attempts(request, api=match.view_name == "api-token")


def too_many_attempts(request, *, api):
    detail = _("Too many failed logins; try again in %(minutes)d minutes.") % {"minutes": _window() // 60}
    if api:
        response = JsonResponse({"detail": detail, "errors": {}}, status=429)
    else:
        response = HttpResponse(detail, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(_window())
    return response
