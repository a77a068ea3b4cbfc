"""Who may write, and from where: the token, the session cookie, CSRF and origin checks.

The dashboard is read-only unless started with ``--allow-edits``. Then every write needs the
token printed at start-up (or given with ``--token`` / ``DYADWATCH_TOKEN``), either

* as ``Authorization: Bearer TOKEN`` (scripts; a cross-site page cannot set that header
  without a CORS preflight, which the dashboard never answers), or
* through the session cookie that ``/login`` sets after the token is typed in, together
  with a CSRF token that must match the ``dw_csrf`` cookie (double submit; the value is signed
  with a per-process key, so a cookie planted by a neighbouring site does not validate) and an
  ``Origin`` (or ``Referer``) of the dashboard itself.

Cookies are ``HttpOnly`` where JavaScript need not read them, and ``SameSite=Strict``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from fastapi import Request

from dyadwatch.errors import DyadwatchError, Errors

__all__ = ["SESSION_COOKIE", "CSRF_COOKIE", "Security", "WebError", "host_name"]

SESSION_COOKIE = "dw_session"
CSRF_COOKIE = "dw_csrf"
CSRF_HEADER = "x-csrf-token"
DEFAULT_HOSTS = ("127.0.0.1", "localhost", "::1", "testserver")

# what each of the dashboard's error codes answers over HTTP
STATUS = {
    "E720": 404, "E721": 403, "E722": 401, "E723": 403, "E724": 403, "E725": 422, "E726": 404,
    "E727": 422, "E728": 413, "E738": 413, "E729": 415, "E730": 404, "E731": 404, "E732": 409, "E733": 409,
    "E735": 409, "E736": 400, "E737": 409, "E230": 422, "E701": 422,
}


class WebError(DyadwatchError):
    """A request the dashboard refuses; ``status`` is the HTTP status it answers with."""

    @property
    def status(self) -> int:
        return STATUS.get(self.code, 400)


def host_name(header: str) -> str:
    """The host of a Host header, without the port: ``[::1]:8000`` -> ``::1``."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:].split("]", 1)[0]
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


@dataclass
class Security:
    """The write policy of one dashboard process."""

    allow_edits: bool = False
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    allowed_hosts: frozenset[str] = frozenset(DEFAULT_HOSTS)
    key: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)

    @classmethod
    def build(cls, *, allow_edits: bool, token: str | None, hosts: Iterable[str] | None) -> Security:
        chosen = token or secrets.token_urlsafe(24)
        names = frozenset(h.lower() for h in (hosts if hosts is not None else DEFAULT_HOSTS))
        return cls(allow_edits=allow_edits, token=chosen, allowed_hosts=names)

    # -- cookies ---------------------------------------------------------------------

    def _sign(self, purpose: str, value: str) -> str:
        return hmac.new(self.key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()

    def session_value(self) -> str:
        return self._sign("session", self.token)

    def new_csrf(self) -> str:
        nonce = secrets.token_urlsafe(18)
        return f"{nonce}.{self._sign('csrf', nonce)}"

    def csrf_valid(self, value: str | None) -> bool:
        if not value or "." not in value:
            return False
        nonce, _, signature = value.partition(".")
        return hmac.compare_digest(signature, self._sign("csrf", nonce))

    def token_matches(self, value: str) -> bool:
        return hmac.compare_digest(value.encode(), self.token.encode())

    def logged_in(self, request: Request) -> bool:
        cookie = request.cookies.get(SESSION_COOKIE)
        return bool(cookie) and hmac.compare_digest(cookie or "", self.session_value())

    # -- the checks ------------------------------------------------------------------

    def check_host(self, request: Request) -> None:
        if "*" in self.allowed_hosts:  # --public: reached by names this process cannot list
            return
        host = host_name(request.headers.get("host", ""))
        if host not in self.allowed_hosts:
            raise WebError(Errors.E736, host=host[:100])

    def check_origin(self, request: Request, *, required: bool) -> None:
        """Refuse a write whose Origin (or Referer) is not this dashboard."""
        own = f"{request.url.scheme}://{request.headers.get('host', '')}".lower()
        origin = request.headers.get("origin")
        if origin is not None:
            if origin.lower() != own:
                raise WebError(Errors.E724, detail=f"Origin {origin[:100]!r} is not {own!r}")
            return
        referer = request.headers.get("referer")
        if referer is not None:
            parts = urlsplit(referer)
            if f"{parts.scheme}://{parts.netloc}".lower() != own:
                raise WebError(Errors.E724, detail=f"Referer from {parts.netloc[:100]!r}")
            return
        if required:
            raise WebError(Errors.E724, detail="the request names no Origin or Referer")

    def check_write(self, request: Request, *, form_csrf: str | None = None) -> None:
        """Everything a write must pass: edits allowed, same origin, the token (bearer or session + CSRF)."""
        if not self.allow_edits:
            raise WebError(Errors.E721)
        authorization = request.headers.get("authorization", "")
        scheme, _, credential = authorization.partition(" ")
        if scheme.lower() == "bearer" and credential:
            self.check_origin(request, required=False)
            if not self.token_matches(credential.strip()):
                raise WebError(Errors.E722)
            return
        if not self.logged_in(request):
            raise WebError(Errors.E722)
        self.check_origin(request, required=True)
        cookie = request.cookies.get(CSRF_COOKIE)
        sent = form_csrf if form_csrf is not None else request.headers.get(CSRF_HEADER)
        if not cookie or not sent:
            raise WebError(Errors.E723, detail="no CSRF token was sent")
        if not (hmac.compare_digest(cookie, sent) and self.csrf_valid(cookie)):
            raise WebError(Errors.E723, detail="the CSRF token does not match this session")
