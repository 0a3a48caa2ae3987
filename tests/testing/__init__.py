"""Tests of passkit.testing: bundle and link readers, verification, assertions, the APNs
and Google stand-ins, the pytest plugin."""
