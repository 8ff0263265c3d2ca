"""epub."""
