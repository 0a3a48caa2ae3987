"""Tests of passkit.apple (pass.json, images, strings, the zip writer, signing) and of
Apple's rules by name (passkit.apple_rules)."""
