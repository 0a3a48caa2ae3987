"""Tests of passkit's top-level modules (model, files, devcerts, gc_tuning), of its public
names and of its imports (no cycles)."""
