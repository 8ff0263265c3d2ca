"""Delivering briefs to readers: by email, and as catalogues for e-reader apps."""
