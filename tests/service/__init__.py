"""Tests of passkit.service: the registry, the web service, the outbox sender, links."""
