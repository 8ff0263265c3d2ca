"""Section markup for each output kind: one renderer subclass per kind, and references as text."""
