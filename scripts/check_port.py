"""Exit 1 with a message when HOST:PORT is taken, before `make demo` spends minutes on the
set-up only to fail at `runserver` (usage: python scripts/check_port.py HOST PORT)."""

import socket
import sys


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def main(argv: list[str]) -> int:
    host, port = argv[1], int(argv[2])
    if port_is_free(host, port):
        return 0
    print(
        f"Port {port} on {host} is in use. Stop what listens there or choose another port: "
        f"make demo PORT=8001",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
