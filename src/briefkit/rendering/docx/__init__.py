"""The Word edition: pandoc's DOCX writer, fed pandoc's JSON AST built from the brief."""
