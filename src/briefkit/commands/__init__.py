"""The commands behind the command line, callable from Python too."""
