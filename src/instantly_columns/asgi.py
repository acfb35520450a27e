"""An optional ASGI app that receives Instantly webhooks.

Mount it in any ASGI server or framework (Starlette, FastAPI, Django's ASGI, uvicorn, ...)::

    app = webhook_app(service)        # service: InstantlyColumns or AsyncInstantlyColumns

Point the Instantly webhook at ``https://your.host/<mount path>?token=<secret>`` (or set the
subscription's custom header ``X-Instantly-Columns-Token``). Answers: ``200`` with what the
event did (a replay too, so Instantly stops retrying), ``400`` for a malformed body, ``401``
without the secret, ``405`` for anything but POST, ``413`` over 1 MiB.

On a fleet, hand it a receiver that queues instead of a service
(``webhook_app(tasks.webhook_receiver(secret))``, see ``instantly_columns.celery``): it checks
the secret and the body the same way and answers ``202`` once the delivery is queued.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

from instantly_columns.errors import WebhookAuthError, WebhookPayloadError

__all__ = ["MAX_BODY", "webhook_app"]

MAX_BODY = 1 << 20
logger = logging.getLogger("instantly_columns.domain.webhooks")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


async def _respond(send: Send, status: int, payload: dict[str, Any]) -> None:
    body = json.dumps(payload).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def webhook_app(service: Any) -> ASGIApp:
    """An ASGI app that hands each delivery to ``service.ingest_webhook``.

    ``service`` is an `InstantlyColumns` (its blocking call runs in a worker thread) or an
    `AsyncInstantlyColumns` (awaited), or a receiver that queues deliveries for workers
    (`instantly_columns.celery.WebhookQueue`: answered ``202``).
    """
    import inspect

    is_async = inspect.iscoroutinefunction(service.ingest_webhook)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        if scope.get("method") != "POST":
            await _respond(send, 405, {"error": "use POST"})
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY:
                await _respond(send, 413, {"error": "body too large"})
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        try:
            if is_async:
                result = await service.ingest_webhook(body, headers=headers, query=query)
            else:
                import anyio.to_thread

                def run() -> Any:
                    return service.ingest_webhook(body, headers=headers, query=query)

                result = await anyio.to_thread.run_sync(run)
        except WebhookAuthError:
            await _respond(send, 401, {"error": "missing or wrong webhook secret"})
            return
        except WebhookPayloadError as exc:
            await _respond(send, 400, {"error": str(exc)})
            return
        if getattr(result, "queued", False) is True:
            # A receiver that queues (instantly_columns.celery.WebhookQueue): accepted, to
            # be applied by a worker.
            await _respond(send, 202, {"event_type": result.event_type, "queued": True})
            return
        if result.ignored:
            logger.info("webhook event %s ignored: %s", result.event_type, result.ignored)
        await _respond(
            send,
            200,
            {
                "event_type": result.event_type,
                "replay": result.replay,
                "cells_written": result.cells_written,
                "refreshed": result.refreshed,
                "ignored": result.ignored,
            },
        )

    return app
