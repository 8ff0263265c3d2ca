"""weasyprint."""
