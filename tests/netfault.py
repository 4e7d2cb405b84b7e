"""A network that goes silent, for the tests (not a test module).

:class:`SilentLink` puts a TCP server behind a real link that can be cut without closing anything: a
network namespace of its own, joined to this one by a veth pair, with a forwarder on each side
(client -> 10.x.y.2:5432 in the namespace -> 10.x.y.1 here -> the real server). ``silence()`` takes the
link down: from then on packets are dropped, as when Wi-Fi or a VPN drops or a NAT forgets the
connection, and no side is told (no reset, no FIN), so a call waits for the kernel's retransmissions.
``restore()`` brings it back. Needs root and ``ip`` (iproute2); :func:`unavailable` says why not.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time

_FORWARD = r"""
import socket, sys, threading
listen_host, listen_port, to_host, to_port = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); ls.bind((listen_host, listen_port)); ls.listen()
print(ls.getsockname()[1], flush=True)  # ready, on this port
def pipe(a, b):
    try:
        while (d := a.recv(65536)):
            b.sendall(d)
    except OSError:
        pass
    for s in (a, b):
        try: s.shutdown(socket.SHUT_RDWR)
        except OSError: pass
while True:
    c, _ = ls.accept()
    u = socket.create_connection((to_host, to_port))
    for a, b in ((c, u), (u, c)):
        threading.Thread(target=pipe, args=(a, b), daemon=True).start()
"""


def unavailable() -> str | None:
    """Why a :class:`SilentLink` cannot be made here (None: it can)."""
    if not sys.platform.startswith("linux"):
        return "network namespaces are Linux only"
    if os.geteuid() != 0:
        return "making a network namespace needs root"
    if shutil.which("ip") is None:
        return "the ip command (iproute2) is not installed"
    return None


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=30)


class SilentLink:
    def __init__(self, to_host: str, to_port: int) -> None:
        # one /30 of 10.213.0.0/16 per process (16,384 of them): with the third octet alone taken from the pid
        # (200 choices), two test workers could give their links one subnet, and a connection took the other's
        n = os.getpid() % 16384
        self.ns = f"reader-silent-{n}"
        self._host_if, self._ns_if = f"rsa{n}", f"rsb{n}"
        net = 4 * n
        self.host_addr, self.ns_addr = f"10.213.{net >> 8}.{(net & 255) + 1}", f"10.213.{net >> 8}.{(net & 255) + 2}"
        self.port = 5432
        self._to = (to_host, to_port)
        self._procs: list[subprocess.Popen[str]] = []

    def __enter__(self) -> "SilentLink":
        try:
            _ip("netns", "add", self.ns)
            _ip("link", "add", self._host_if, "type", "veth", "peer", "name", self._ns_if)
            _ip("link", "set", self._ns_if, "netns", self.ns)
            _ip("addr", "add", f"{self.host_addr}/30", "dev", self._host_if)
            _ip("link", "set", self._host_if, "up")
            _ip("-n", self.ns, "addr", "add", f"{self.ns_addr}/30", "dev", self._ns_if)
            _ip("-n", self.ns, "link", "set", self._ns_if, "up")
            _ip("-n", self.ns, "link", "set", "lo", "up")
            # here: host_addr:<any port> -> the real server; in the namespace: ns_addr:5432 -> host_addr:<that port>
            port = self._forward([], self.host_addr, 0, *self._to)
            self._forward(["ip", "netns", "exec", self.ns], self.ns_addr, self.port, self.host_addr, port)
        except BaseException:
            self.__exit__()
            raise
        return self

    def _forward(self, prefix: list[str], host: str, port: int, to_host: str, to_port: int) -> int:
        """Start a forwarder process (``prefix``: in the namespace) listening on host:port; its port."""
        proc = subprocess.Popen([*prefix, sys.executable, "-c", _FORWARD, host, str(port), to_host, str(to_port)],
                                stdout=subprocess.PIPE, text=True)
        self._procs.append(proc)
        assert proc.stdout is not None
        return int(proc.stdout.readline())

    def silence(self) -> None:
        """Packets are dropped from now on; nothing is closed and nobody is told. The namespace's end of the
        link goes down: this end keeps its route (no carrier), so packets are not sent another way."""
        _ip("-n", self.ns, "link", "set", self._ns_if, "down")

    def restore(self) -> None:
        _ip("-n", self.ns, "link", "set", self._ns_if, "up")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # the veth carrier comes back within milliseconds
            with socket.socket() as s:
                s.settimeout(1)
                if s.connect_ex((self.ns_addr, self.port)) == 0:
                    return
            time.sleep(0.05)

    def __exit__(self, *exc: object) -> None:
        for proc in self._procs:
            proc.kill()
            proc.wait()
        subprocess.run(["ip", "link", "del", self._host_if], capture_output=True, timeout=30)
        subprocess.run(["ip", "netns", "del", self.ns], capture_output=True, timeout=30)
