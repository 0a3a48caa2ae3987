"""Hostile input across passkit: files, archives, records, templates, secrets, the terminal."""
