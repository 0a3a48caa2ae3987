"""Test helpers that tests of several folders use, one module per subject."""
