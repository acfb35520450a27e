"""The reliability page: the table of a run, what was measured and how, and what went wrong."""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from ._support import Tally

COLUMNS = ("Trials", "Failures", "Duplicate leads", "Lost cells", "Cells moved backwards")


@attrs.frozen
class Meta:
    """Where and how a run happened."""

    date: str
    machine: str
    sizes: str
    size_name: str
    seed: int
    command: str
    seconds: float
    skipped: tuple[str, ...] = ()


def _count(tally: Tally, what: str) -> str:
    if what not in tally.measured:
        return "n/a"
    return str(getattr(tally, what))


def table(tallies: Sequence[Tally]) -> str:
    """The markdown table: a header row per group, a row per case."""
    lines = [
        "| Case | " + " | ".join(COLUMNS) + " |",
        "|---|" + "---:|" * len(COLUMNS),
    ]
    group = None
    for t in tallies:
        if t.group != group:
            group = t.group
            lines.append(f"| **{group}** |" + " |" * len(COLUMNS))
        cells = [
            str(t.trials),
            str(t.failures),
            _count(t, "duplicates"),
            _count(t, "lost"),
            _count(t, "backwards"),
        ]
        lines.append(f"| {t.case} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def _notes(tallies: Sequence[Tally]) -> str:
    lines = []
    for t in tallies:
        if not t.notes:
            continue
        parts = ", ".join(f"{k}: {v}" for k, v in sorted(t.notes.items()))
        lines.append(f"- {t.group} · {t.case} ({_duration(t.seconds)}): {parts}")
    return "\n".join(lines)


def _failures(tallies: Sequence[Tally]) -> str:
    broken = [t for t in tallies if not t.clean]
    if not broken:
        return "None: every count above is 0."
    lines = []
    for t in broken:
        lines.append(f"- **{t.group} · {t.case}**: {t.failures} of {t.trials} trials failed.")
        lines += [f"    - `{e[:400]}`" for e in t.examples]
    return "\n".join(lines)


INTRO = """\
# Reliability

The promise: whatever the network, the API, the database or the process does, **no lead is
pushed twice, no row is left without a result, no cell is lost or moved backwards, and the key
never leaks.** This page is the record of a run of the reliability suite (`tests/reliability/`)
that tries to break it, and counts.

## Run it

```sh
make reliability                           # = python -m tests.reliability --full: writes this page
python -m tests.reliability                # the CI sizes; prints the table, writes nothing
python -m tests.reliability --medium --out docs/reliability.md
python -m tests.reliability --full --chaos 20000 --fuzz 50000 --seed 7
```

PostgreSQL rows need `INSTANTLY_COLUMNS_TEST_DSN` (`scripts/pg-throwaway.sh start` prints
one); without it they are left out and the page says so. The same cases run at small sizes in
the normal test suite (`make test`), where every count must be 0.
"""

METHOD = """\
## What each row does

- **SIGKILL**: a child process runs a push or a sync against a `FakeInstantly` served on a
  loopback port by this process (so Instantly's state survives the kill), on a SQLite file or
  a PostgreSQL schema. A driver that counts the effects the flow performs, and a store that
  counts its calls, kill the child with `SIGKILL` before or after the N-th effect or store
  call, N drawn by a seeded generator from what a clean run performs (measured first). This
  process then resumes: the same push, or the same sync (after releasing the dead worker's
  lease, or letting it lapse, half the trials each: a push holds the link's lease too).
  Children are forked from a fork server that imported the library once; each is a process
  of its own with its own connections.
- **Faults**: each fault kind of `fake.faults` (1 to 3 faults, or a burst of three in a row,
  at seeded request numbers; writes failing after being applied half the time) and a store
  that raises `StoreError` before or after a seeded call, in a push, a sync, or a run of
  webhook deliveries; then one clean retry. Faces (blocking, async) and stores alternate.
- **Concurrency**: workers with their own store connections (SQLite file, PostgreSQL) started
  together; the stale worker freezes mid-page, its lease lapses, another worker syncs, and
  the frozen one wakes up. One run of a link holds its lease at a time, a push or a sync: a
  second one started meanwhile is refused (`PushInProgress`, `SyncInProgress`) and counted,
  and a refused push is run again afterwards.
- **Webhooks**: deliveries captured from the fake's webhooks, handed to the service twice,
  shuffled, a burst of 1000 at once through the ASGI app, with wrong secrets first, and with
  every lead refresh failing for a while; compared with the same deliveries applied in order,
  without faults, to a twin table on the same workspace.
- **Fuzz**: Hypothesis examples (seeded) per target, including deep nesting, huge integers
  and lone surrogates; an example fails when it meets an error that is not one of the
  library's own (for the ASGI app: an error it lets out, which a server answers with 500).
- **Canary**: every flow, in both faces and over real HTTP, with DEBUG logging captured and
  errors forced (401, 5xx, resets, timeouts, malformed answers, no server); the key, and any 8
  characters of it, is searched for in log records, reprs and strs of everything returned,
  exceptions with their cause and context chains and tracebacks, the sync history, and every
  SQLite table but `ic_credentials`. Trials are operations; failures are places it was found.
  The CLI takes no key, so it is not searched.
- **Chaos**: two identical workspaces and stores, one with every fault mixed in at the given
  rate, round after round of new rows, pushes, the same recipients reacting at the same fake
  time, webhook deliveries and syncs; then fault-free rounds. It must converge to the
  fault-free world: the same rows pushed to their leads, the same engagement cells.

## What the columns count

- **Failures**: trials that broke a promise or met an error that is not the library's own.
- **Duplicate leads**: leads beyond the first with one email in the fake workspace.
- **Lost cells**: a row without its push result, or an engagement cell missing where the
  API (or the fault-free reference) has a value.
- **Cells moved backwards**: a cell older than the API's value (an email status lower on the
  ladder, a smaller count, an earlier date, a stale interest label) or than a value the same
  cell held earlier in the trial; for push results, a lead id replaced.
- **n/a**: the case cannot see that count (a fuzz target sees no leads).
"""


def page(tallies: Sequence[Tally], meta: Meta) -> str:
    skipped = "".join(f"\n- not run: {s}" for s in meta.skipped)
    clean = all(t.clean for t in tallies)
    verdict = "Every count reads 0." if clean else "**Some counts are not 0: see below.**"
    return f"""{INTRO}
## The run

- Date: {meta.date}
- Machine: {meta.machine}
- Command: `{meta.command}`
- Sizes ({meta.size_name}): {meta.sizes}
- Seed: {meta.seed}
- Wall time: {_duration(meta.seconds)}{skipped}

{verdict}

{table(tallies)}

## Failures found

{_failures(tallies)}

## What happened in each case

{_notes(tallies)}

{METHOD}"""
