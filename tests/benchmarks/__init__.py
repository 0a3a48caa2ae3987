"""Tests of the benchmark commands in benchmarks/: each runs, small; never their numbers."""
