"""Tests of passkit.layout: the layout format, its loader and errors, inputs, templates, plans."""
