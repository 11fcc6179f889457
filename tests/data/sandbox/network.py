"""Tries to reach the network: a TCP connection to the grader's machine, IPv6, UDP."""

import socket


def connect(port):
    outcome = {}
    attempts = {
        "tcp4": (socket.AF_INET, socket.SOCK_STREAM, ("127.0.0.1", port)),
        "tcp6": (socket.AF_INET6, socket.SOCK_STREAM, ("::1", port)),
        "udp4": (socket.AF_INET, socket.SOCK_DGRAM, ("1.1.1.1", 53)),
    }
    for name, (family, kind, address) in attempts.items():
        try:
            with socket.socket(family, kind) as sock:
                sock.settimeout(2)
                if kind == socket.SOCK_DGRAM:
                    sock.sendto(b"hello", address)
                else:
                    sock.connect(address)
                outcome[name] = "CONNECTED"
        except OSError as exc:
            outcome[name] = f"{type(exc).__name__} errno {exc.errno}"
    return outcome


def connect_unix(path, abstract):
    """A host service by path and one by abstract name (no file at all)."""
    outcome = {}
    for name, address in (("path", path), ("abstract", "\0" + abstract)):
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(2)
                sock.connect(address)
                sock.sendall(b"hello from the sandbox")
                outcome[name] = "CONNECTED"
        except OSError as exc:
            outcome[name] = f"{type(exc).__name__} errno {exc.errno}"
    return outcome
