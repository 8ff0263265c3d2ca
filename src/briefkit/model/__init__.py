"""The model of a brief: validated front matter, labelled sections, and the typed choices."""
