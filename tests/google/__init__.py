"""Tests of passkit.google: classes and objects per pass type, ids, save links, the REST client."""
