"""Tests of passkit.preview: images of both wallets, fonts, the live preview server."""
