"""briefkit's version: a leaf module, so any stage may read it without importing another."""

__version__ = "0.1.0"
