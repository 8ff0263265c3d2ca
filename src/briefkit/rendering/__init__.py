"""Rendering: the view templates see, the theme, and the PDF, EPUB and HTML outputs."""
