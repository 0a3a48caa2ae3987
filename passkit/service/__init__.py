"""The pass service: what happens to a pass after it is issued, and how it reaches people."""
