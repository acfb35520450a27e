"""Benchmarks: each prints ratios measured in one process (absolute times are noise here)."""
