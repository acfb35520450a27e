"""``webhooks serve``: the webhook receiver on a local port."""

from __future__ import annotations

import secrets

import click
from rich.markup import escape

from instantly_columns.asgi import webhook_app
from instantly_columns.cli._app import app, db_option, fake_option, handled
from instantly_columns.cli._output import Output
from instantly_columns.cli._session import Failure, open_session

__all__ = ["serve_command", "webhooks_group"]

SECRET_ENV = "INSTANTLY_COLUMNS_WEBHOOK_SECRET"  # noqa: S105 - a variable name, not a secret


@app.group("webhooks")
def webhooks_group() -> None:
    """Receive Instantly's webhook deliveries."""


@webhooks_group.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8787, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--secret",
    envvar=SECRET_ENV,
    default=None,
    help=f"The token deliveries must carry (default: a new one, shown once) [env: {SECRET_ENV}]",
)
@db_option
@fake_option
@handled
def serve_command(
    out: Output, host: str, port: int, secret: str | None, db: str, fake: bool
) -> int:
    """Serve the webhook receiver (an ASGI app on uvicorn) until Ctrl-C.

    Deliveries must carry the token as ?token= or in the X-Instantly-Columns-Token header;
    each one updates the engagement cells of its lead's rows at once.
    """
    try:
        import uvicorn
    except ImportError:
        raise Failure(
            "webhooks serve needs uvicorn, which is not installed",
            hint="pip install 'instantly-columns[serve]'",
        ) from None
    generated = secret is None
    token = secret or secrets.token_urlsafe(24)
    base = f"http://{host}:{port}/"
    with open_session(db, fake=fake, webhook_secret=token) as session:
        out.data({"url": base, "token": token if generated else None})
        shown = escape(token) if generated else "<secret>"
        out.say(f"Receiving Instantly webhooks at [bold]{base}?token={shown}[/] (Ctrl-C stops).")
        if generated:
            out.say(f"[dim]A new token was made; set {SECRET_ENV} to keep one across restarts.[/]")
        out.say("[dim]Point the webhook of your campaign at this URL where it is reachable.[/]")
        uvicorn.run(
            webhook_app(session.service),
            host=host,
            port=port,
            log_level="debug" if out.debug else "warning",
        )
    return 0
