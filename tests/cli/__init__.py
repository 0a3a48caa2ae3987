"""Tests of passkit.cli that belong to no other package: what a command shows."""
