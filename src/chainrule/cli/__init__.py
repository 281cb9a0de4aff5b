"""The `chainrule` command: thin argument parsing over the library."""

from .main import main

__all__ = ["main"]
