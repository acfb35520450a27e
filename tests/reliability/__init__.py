"""The reliability suite: SIGKILL trials, fault classes, concurrency, fuzzing, webhook cases,
a canary-key search and a seeded chaos run, each counted against the promise that no lead is
pushed twice, no row is left without a result, no cell is lost or moved backwards, and the
key never leaks.

Every case is a function that runs seeded trials and returns a ``Tally`` (``_support``). The
tests run them small; ``python -m tests.reliability --full`` runs them large and writes
``docs/reliability.md``.
"""
