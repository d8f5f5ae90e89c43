"""Outbound HTTP for channels, which must not be turnable inward.

A channel URL is typed by a user, so without care it reaches 127.0.0.1, the cloud metadata
address or any internal port ("send a test message" made that a port scanner). Here:

- the peer address is checked *after* the socket connects (so DNS rebinding between a check
  and the connection cannot slip through): private, loopback, link-local, reserved, multicast
  and unspecified addresses are refused unless MYSTOCKS_ALERT_ALLOWED_NETWORKS names them;
- redirects are never followed (a 302 would turn the POST into a GET anywhere);
- the environment's proxy settings are ignored (a proxy would hide the real destination).
"""
import ipaddress
import re
import socket
import urllib.parse

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool


class DestinationRefused(Exception):
    """The destination is an internal address not in the allow-list (not an OSError: urllib3 must not wrap it)."""


def allowed_networks():
    return [ipaddress.ip_network(n, strict=False) for n in getattr(settings, "MYSTOCKS_ALERT_ALLOWED_NETWORKS", [])]


def is_public(address):
    """Whether ``address`` (an IP string) is a public unicast address or one the allow-list names."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if any(ip in network for network in allowed_networks()):
        return True
    # is_global is False for private, loopback, link-local (169.254.169.254), shared and reserved ranges.
    return ip.is_global and not ip.is_multicast


def _checked(sock):
    peer = sock.getpeername()[0]
    if not is_public(peer):
        sock.close()
        raise DestinationRefused("destination refused: an internal address")
    return sock


class _CheckedHTTPConnection(HTTPConnection):
    def _new_conn(self):
        return _checked(super()._new_conn())


class _CheckedHTTPSConnection(HTTPSConnection):
    def _new_conn(self):
        return _checked(super()._new_conn())


class _CheckedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _CheckedHTTPConnection


class _CheckedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _CheckedHTTPSConnection


class _CheckedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _CheckedHTTPPool, "https": _CheckedHTTPSPool}


def session():
    """A requests session that connects only to public (or allow-listed) addresses, without proxies."""
    s = requests.Session()
    s.trust_env = False
    s.mount("http://", _CheckedAdapter())
    s.mount("https://", _CheckedAdapter())
    return s


def post(url, *, data, headers, timeout):
    """POST without following redirects, to a checked destination; returns the response."""
    scheme = urllib.parse.urlsplit(url).scheme
    if scheme not in ("http", "https"):
        raise DestinationRefused(f"destination refused: scheme {scheme!r} (http or https only)")
    with session() as s:
        return s.post(url, data=data, headers=headers, timeout=timeout, allow_redirects=False)


def literal_address_refused(url):
    """A message when ``url``'s host is an internal IP literal or a localhost name (checked when saved), else ""."""
    host = (urllib.parse.urlsplit(url).hostname or "").strip("[]")
    if host == "localhost" or host.endswith(".localhost"):
        return "an internal address (localhost)"
    try:
        public = is_public(host)
    except ValueError:
        return ""  # a name: resolved and checked when a message is sent
    return "" if public else "an internal address"


SECRET_QUERY = re.compile(r"(?i)([?&;](?:access_token|token|key|sign|secret|timestamp)=)[^&\s'\"]+")
URL_QUERY = re.compile(r"(https?://[^\s?'\"]+)\?[^\s'\"]*")


def redact(text, *secrets):
    """``text`` without URL query strings, token-like parameters and the given secret values."""
    text = URL_QUERY.sub(r"\1?…", str(text))
    text = SECRET_QUERY.sub(r"\1…", text)
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "…")
    return text


def failure_summary(exc):
    """A short, generic failure class for people (the test action, logs): no URL, body or socket detail."""
    if isinstance(exc, DestinationRefused):
        return "destination refused (internal address, redirect or scheme)"
    if isinstance(exc, requests.exceptions.Timeout):
        return "timed out"
    if isinstance(exc, requests.exceptions.ConnectionError):
        return "could not connect"
    if isinstance(exc, requests.exceptions.RequestException):
        return "request failed"
    if isinstance(exc, (socket.error, OSError)):
        return f"network or mail server error ({type(exc).__name__})"
    return type(exc).__name__
