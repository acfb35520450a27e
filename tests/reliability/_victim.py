"""What a child process runs: one push or sync against the served fake, through a driver and a
store that count effects and calls, killing the process with SIGKILL at the armed one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from instantly_columns.config import ClientSettings
from instantly_columns.errors import InstantlyColumnsError
from instantly_columns.service.facade import InstantlyColumns
from instantly_columns.testing import FakeClock
from instantly_columns.transports.http import HttpxTransport

from ._support import LEASE, CountingDriver, TrippingStore, Tripwire, VictimSpec, error_text


def victim(spec: VictimSpec) -> None:
    wire = Tripwire()
    wire.arm(spec.trip)  # the default action: SIGKILL this process
    store = spec.store.open()
    settings = ClientSettings(base_url=spec.base_url)
    # Plain HTTP on loopback: no TLS context to build (loading the CA bundle is most of a
    # child's start-up); the requests still go through httpx and real sockets.
    transport = HttpxTransport(settings, transport=httpx.HTTPTransport(verify=False))
    clock = FakeClock(spec.clock_start)  # the parent's fake time: leases compare sensibly
    service = InstantlyColumns(
        TrippingStore(store, wire),
        transport=transport,
        settings=settings,
        clock=clock,
        lease_seconds=LEASE,
    )
    # The service has no driver parameter: the counting one replaces the one it made.
    service._driver = CountingDriver(transport, clock, wire=wire)
    result: dict[str, Any] = {}
    try:
        if spec.op == "push":
            report = service.push(spec.link)
            result["outcome"] = "ok"
            result["rows"] = len(report.rows)
        else:
            synced = service.sync(spec.link)
            result["outcome"] = synced.status
    except InstantlyColumnsError as exc:
        result["outcome"] = type(exc).__name__
        result["error"] = error_text(exc)
    except Exception as exc:
        result["outcome"] = "untyped"
        result["error"] = error_text(exc)
    result["effects"] = wire.effects
    result["store_calls"] = wire.store_calls
    Path(spec.result_path).write_text(json.dumps(result))
    service.close()
    transport.close()
    store.close()
