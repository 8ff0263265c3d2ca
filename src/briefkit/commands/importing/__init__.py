"""Turn material analysts already have (a saved web page, a Word draft, text) into a brief."""
