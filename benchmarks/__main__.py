"""The hot-path report: ``python -m benchmarks`` (``make bench``); ``--quick`` for CI.

The older, narrower benchmarks run on their own: ``python -m benchmarks.bench_storage``
(write strategies and connection modes) and ``python -m benchmarks.bench_ratelimit``.
"""

from __future__ import annotations

from benchmarks.report import main

if __name__ == "__main__":
    raise SystemExit(main())
