"""briefkit: labelled, print-ready PDF and EPUB policy briefs from Markdown sources."""

__version__ = "0.1.0"
