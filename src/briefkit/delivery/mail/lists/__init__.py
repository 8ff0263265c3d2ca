"""Sending to a distribution list: its readers, the send log, and the send."""
