"""Reading and checking sources: find them, split front matter, parse Markdown, validate."""
