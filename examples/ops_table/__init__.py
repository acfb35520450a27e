"""The ops table: a reference host web app for instantly-columns.

Run it with ``python -m examples.ops_table`` (or ``make host``).
"""

from examples.ops_table.app import create_app
from examples.ops_table.host import Host

__all__ = ["Host", "create_app"]
