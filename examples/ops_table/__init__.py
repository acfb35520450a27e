"""The ops table: a reference host web app for instantly-columns (``python -m examples.ops_table``)."""

from examples.ops_table.app import create_app
from examples.ops_table.host import Host

__all__ = ["Host", "create_app"]
