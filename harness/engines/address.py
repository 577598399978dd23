"""Checking a Ray address before any work starts (no Ray import needed).

``ray.init`` given an address nobody answers at retries for minutes, printing Ray's
own log lines, and a ``ray://`` address fails with a traceback when the optional
``ray[client]`` package is missing. The harness checks the address first, in a few
seconds at most, and says in one line what is wrong:

- ``HOST:PORT``: the head node's GCS address (``ray start --head`` prints it; port
  6379 by default). Something must accept a TCP connection there within
  ``CONNECT_TIMEOUT_S`` and answer the HTTP/2 connection preface as a gRPC server
  does (Ray's GCS is one): a dashboard address (HTTP/1.1, port 8265) or any other
  service is named as "not a Ray cluster" instead of hanging.
- ``ray://HOST:PORT``: a Ray Client server, which needs ``ray[client]`` (grpcio).
- ``auto`` (a cluster started on this machine) and ``local`` (start one) are Ray's own.
"""

from __future__ import annotations

import importlib.util
import os
import socket
from dataclasses import dataclass

from harness.errors import UsageError

CONNECT_TIMEOUT_S = 5.0
RAY_ADDRESS_VARIABLE = "RAY_ADDRESS"  # read by ray.init when no address is given
# What `ray.init` accepts besides a host and port.
KEYWORDS = ("auto", "local")
_CLIENT_SCHEME = "ray://"
_START_A_CLUSTER = "start one with `ray start --head` or check the address"
# RFC 9113 section 3.4: a client's first bytes; a server answers with a SETTINGS frame.
_HTTP2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"
_SETTINGS_FRAME = 0x04


@dataclass(frozen=True, slots=True)
class RayAddress:
    text: str  # as given
    host: str
    port: int
    client: bool  # ray://: the Ray Client protocol

    def __str__(self) -> str:
        return self.text


def _bad(text: str, what: str, where: str) -> UsageError:
    return UsageError(
        f"{text!r} is not a Ray address: {what}",
        where=where,
        hint="give the head node's GCS address HOST:PORT, e.g. 10.0.0.5:6379; or auto, or local",
    )


def parse_ray_address(text: str, *, where: str = "--ray-address") -> RayAddress | None:
    """The host and port of ``text``; None for ``auto`` and ``local`` (Ray finds or starts one)."""
    address = text.strip()
    if address in KEYWORDS:
        return None
    client = address.startswith(_CLIENT_SCHEME)
    rest = address[len(_CLIENT_SCHEME) :] if client else address
    if "://" in rest:
        raise _bad(text, f"Ray takes no {rest.split('://', 1)[0]}:// address", where)
    host, sep, port_text = rest.rpartition(":")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host  # [IPv6]:port
    if not sep or not host or "/" in rest:
        raise _bad(text, "expected HOST:PORT", where)
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise _bad(text, f"port {port_text!r} is not a number from 1 to 65535", where)
    return RayAddress(address, host, int(port_text), client)


def _check_client_installed(address: RayAddress, where: str) -> None:
    if address.client and importlib.util.find_spec("grpc") is None:
        raise UsageError(
            f"a ray:// address ({address}) needs Ray Client, which needs the package ray[client] (not installed)",
            where=where,
            hint=f"give the cluster's GCS address instead, {address.host}:6379 by default; "
            "or pip install 'ray[client]'",
        )


def _speaks_grpc(connection: socket.socket) -> bool:
    """True when the peer answers the HTTP/2 preface with a SETTINGS frame (gRPC does)."""
    connection.sendall(_HTTP2_PREFACE)
    header = b""
    while len(header) < 9:
        chunk = connection.recv(9 - len(header))
        if not chunk:
            return False
        header += chunk
    return header[3] == _SETTINGS_FRAME and int.from_bytes(header[5:9], "big") & 0x7FFFFFFF == 0


def check_reachable(
    address: RayAddress, *, timeout: float = CONNECT_TIMEOUT_S, where: str = "--ray-address"
) -> None:
    """A UsageError unless a gRPC server (a Ray head) answers at ``address`` within ``timeout``."""
    try:
        with socket.create_connection((address.host, address.port), timeout=timeout) as connection:
            if _speaks_grpc(connection):
                return
            problem = "something answers there, but not a Ray cluster (not a gRPC server)"
    except TimeoutError:
        problem = f"no answer within {timeout:g} s"
    except OSError as exc:
        problem = exc.strerror or str(exc) or type(exc).__name__
    raise UsageError(
        f"cannot reach a Ray cluster at {address}: {problem}",
        where=where,
        hint=_START_A_CLUSTER
        + ("; 8265 is the dashboard's port, the GCS port is 6379 by default" if address.port == 8265 else ""),
    )


def check_ray_address(
    address: str | None, *, timeout: float = CONNECT_TIMEOUT_S, where: str = "--ray-address"
) -> None:
    """Refuse, in one line and a few seconds, an address Ray would hang on or crash at."""
    if address is None:
        return
    if not address.strip():
        raise _bad(address, "it is empty", where)
    parsed = parse_ray_address(address, where=where)
    if parsed is None:
        return
    _check_client_installed(parsed, where)
    check_reachable(parsed, timeout=timeout, where=where)


def effective_ray_address(address: str | None) -> tuple[str | None, str]:
    """The address Ray would use (the one given, else $RAY_ADDRESS) and where it came from."""
    if address is not None:
        return address, "--ray-address"
    from_environment = os.environ.get(RAY_ADDRESS_VARIABLE)
    return (from_environment or None), RAY_ADDRESS_VARIABLE
