"""``python -m examples.ops_table``: the ops table on http://127.0.0.1:8000.

Without ``INSTANTLY_API_KEY`` it runs on embedded defaults: a SQLite file in a temporary
folder and a seeded fake Instantly workspace on loopback (no key, no network). With the
variable set, it talks to your Instantly workspace (``--db`` keeps the table between runs).
"""

from __future__ import annotations

import argparse

import uvicorn

from examples.ops_table.app import create_app
from examples.ops_table.host import Host


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m examples.ops_table")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--db", default=None, help="SQLite file (default: a temporary one)")
    args = parser.parse_args(argv)
    host = Host.create(db=args.db)
    public_url = f"http://{args.host}:{args.port}"
    print(f"The ops table: {public_url}/  (Ctrl+C stops it)")
    try:
        uvicorn.run(create_app(host, public_url=public_url), host=args.host, port=args.port)
    finally:
        host.close()


if __name__ == "__main__":
    main()
