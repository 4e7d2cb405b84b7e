"""The ``reader`` command line (also ``python -m reader``): commands, team commands, shared output."""
from reader.cli.commands import main, parse_args

__all__ = ["main", "parse_args"]
