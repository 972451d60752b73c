"""Benchmarks: accuracy on data sets with known MI, and latency, always next to baselines."""
