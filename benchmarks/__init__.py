"""Benchmarks: throughput and peak memory next to the reference implementations."""
