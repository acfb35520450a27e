"""Run every benchmark: ``python -m benchmarks`` (``make bench``)."""

from __future__ import annotations

import subprocess
import sys

MODULES = ["benchmarks.bench_ratelimit", "benchmarks.bench_storage", "benchmarks.bench_flows"]

if __name__ == "__main__":
    failed = 0
    for module in MODULES:
        print(f"\n== {module} ==", flush=True)
        failed |= subprocess.call([sys.executable, "-m", module])
    raise SystemExit(failed)
