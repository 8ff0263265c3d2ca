"""opinion."""
