"""`dyadwatch serve`: the dashboard over a store (library, events, dyads, review, studies)."""

from __future__ import annotations

import ipaddress
import os
from typing import Annotated

import typer

from dyadwatch.cli._common import StoreOption, console, console_err
from dyadwatch.errors import ConfigError, Errors
from dyadwatch.store import default_store_path

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def is_loopback(host: str) -> bool:
    """Whether binding to ``host`` keeps the dashboard on this machine."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve(
    store: StoreOption = None,
    host: Annotated[str, typer.Option(help="The address to bind; anything but loopback needs --public.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="The port (0: any free one).")] = 8765,
    allow_edits: Annotated[bool, typer.Option("--allow-edits", help="Allow review and studies (writes need the token).")] = False,
    token: Annotated[
        str | None,
        typer.Option(envvar="DYADWATCH_TOKEN", help="The token writes need (default: a new random one, printed).", show_default=False),
    ] = None,
    public: Annotated[bool, typer.Option("--public", help="Allow binding to a non-loopback address.")] = False,
    reviewer: Annotated[str | None, typer.Option(help="The reviewer name corrections default to (default: your login).")] = None,
) -> None:
    """Serve the dashboard. Read-only unless --allow-edits; binds to 127.0.0.1 unless --public."""
    import uvicorn

    from dyadwatch.web.app import create_app
    from dyadwatch.web.security import DEFAULT_HOSTS

    loopback = is_loopback(host)
    if not loopback and not public:
        raise ConfigError(Errors.E734, host=host)
    hosts = list(DEFAULT_HOSTS)
    if not loopback:  # reached by any name: the Host check cannot know them all
        console_err.print(
            f"[bold yellow]warning[/] the dashboard listens on {host}: anyone who can reach this machine can read "
            "the store" + (" and, with the token, write corrections" if allow_edits else "") + ". Serve it behind TLS.",
            highlight=False,
        )
        hosts = ["*"]
    path = default_store_path(store)
    console.print(f"dyadwatch dashboard: taking a snapshot of {path} ...", highlight=False)
    app = create_app(path, allow_edits=allow_edits, token=token, allowed_hosts=hosts, reviewer=reviewer)
    security = app.state.dashboard.security
    shown = f"[{host}]" if ":" in host else host
    console.print(f"Serving on http://{shown}:{port}/  ({'edits allowed' if allow_edits else 'read-only'})", highlight=False)
    if allow_edits:
        source = "given" if token else "generated"
        # plain, unwrapped: scripts read the token from this line
        typer.echo(f"Token ({source}; writes need it, log in at /login): {security.token}")
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
