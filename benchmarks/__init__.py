"""Benchmarks. ``python -m benchmarks`` prints the hot-path report (see
``docs/benchmarks.md``); each measurement runs in a fresh process, and only ratios taken
within one run mean something on a shared machine."""
