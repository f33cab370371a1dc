"""Make the console's signing key pair if there is none:

    python -m services.console.keys DIR

writes ``DIR/console-signing-key.pem`` (RS256 private key, mode 600) and ``DIR/console-public-key.pem``
(give it to every service as GRIDLOOP_AUTH_PUBLIC_KEY_FILE), and prints their paths. An existing pair
is kept. ``scripts/stack.sh`` runs it for ``.run/<profile>/keys/``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shared.auth import generate_key_pair


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m services.console.keys", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("directory", type=Path, help="where the key files are (created if absent)")
    args = parser.parse_args(argv)
    private_file, public_file = generate_key_pair(args.directory)
    print(private_file)
    print(public_file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
