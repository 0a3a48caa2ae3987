"""Tests of passkit.batch: records, builds in worker processes, progress, Dask, Google inserts."""
