"""Run the reliability suite and write its page: ``python -m tests.reliability --full`` (or
``make reliability``). Without ``--full`` or ``--medium`` it runs the CI sizes and only prints.
Exits 1 when any count is not 0."""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path

import attrs

from ._plan import CASES, CI, FULL, GROUPS, MEDIUM, SEED, Sizes
from ._report import Meta, page, table
from ._support import DSN_VARIABLE, Check, Tally, postgres_dsn

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "reliability.md"


def _machine() -> str:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip() + ", "
                break
    return (
        f"{platform.system()} {platform.machine()}, {model}{os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )


def _sizes(args: argparse.Namespace) -> Sizes:
    sizes = FULL if args.full else MEDIUM if args.medium else CI
    if not postgres_dsn():
        sizes = attrs.evolve(
            sizes, fault_stores=tuple(s for s in sizes.fault_stores if s != "postgres")
        )
    if args.trials:
        sizes = attrs.evolve(sizes, kill_trials=args.trials)
    if args.chaos:
        sizes = attrs.evolve(sizes, chaos_operations=args.chaos)
    if args.fuzz:
        sizes = attrs.evolve(sizes, fuzz_examples=args.fuzz)
    return sizes


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m tests.reliability", description=__doc__)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--full", action="store_true", help="the full sizes; writes the page")
    size.add_argument("--medium", action="store_true", help="between CI and full")
    parser.add_argument("--seed", type=int, default=SEED, help=f"default {SEED}")
    parser.add_argument("--trials", type=int, metavar="N", help="SIGKILL trials per cell")
    parser.add_argument("--chaos", type=int, metavar="N", help="operations of the chaos run")
    parser.add_argument("--fuzz", type=int, metavar="N", help="examples per fuzz target")
    parser.add_argument("--only", action="append", choices=GROUPS, help="run only this group")
    parser.add_argument("--out", type=Path, help=f"write the page here (--full: {PAGE})")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    sizes = _sizes(args)
    started = time.monotonic()
    tallies: list[Tally] = []
    skipped: list[str] = []
    with tempfile.TemporaryDirectory(prefix="reliability-") as scratch:
        workdir = Path(scratch)
        for case in CASES:
            if args.only and case.group not in args.only:
                continue
            if case.postgres and not postgres_dsn():
                skipped.append(f"{case.id} ({DSN_VARIABLE} is not set)")
                continue
            print(f"{case.id} ...", end=" ", flush=True)
            begin = time.monotonic()
            try:
                tally = case.run(sizes, args.seed, workdir)
            except Exception as exc:
                tally = Tally(case.name, case.group)
                tally.add(Check(problems=["".join(traceback.format_exception(exc))]), "the case")
            tally.case, tally.group = case.name, case.group
            tally.seconds = time.monotonic() - begin
            tallies.append(tally)
            print(f"{tally.trials} trials, {tally.failures} failures ({tally.seconds:.0f} s)")
            for example in tally.examples:
                print(f"    {example[:300]}")
    meta = Meta(
        date=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        machine=_machine(),
        sizes=sizes.describe(),
        size_name=sizes.name,
        seed=args.seed,
        command=" ".join(["python -m tests.reliability", *argv]),
        seconds=time.monotonic() - started,
        skipped=tuple(skipped),
    )
    print()
    print(table(tallies))
    out = args.out or (PAGE if args.full else None)
    if out is not None and not args.no_write:
        out.write_text(page(tallies, meta), encoding="utf-8")
        print(f"\nwrote {out}")
    return 0 if all(t.clean for t in tallies) else 1


if __name__ == "__main__":
    raise SystemExit(main())
