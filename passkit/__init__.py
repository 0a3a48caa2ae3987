"""passkit."""
