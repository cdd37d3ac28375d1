#!/usr/bin/env python3
"""Prints, as JSON, every established TCP socket of process PID with its TCP_NODELAY flag, read from the
kernel: the socket is duplicated out of the process with pidfd_getfd(2) (needs root or CAP_SYS_PTRACE,
Linux >= 5.6) and asked with getsockopt. Neither ss nor /proc shows TCP_NODELAY, and Node has no getter.

usage: tcp_nodelay.py PID  ->  [{"local": "10.90.0.4:51234", "remote": "10.90.1.4:22", "nodelay": true}, ...]
"""
import ctypes
import json
import os
import socket
import struct
import sys

SYS_PIDFD_GETFD = 438  # the same number on x86_64 and aarch64
ESTABLISHED = "01"


def addr(hex_addr: str) -> str:
    ip_hex, port_hex = hex_addr.split(":")
    raw = bytes.fromhex(ip_hex)
    if len(raw) == 4:
        ip = socket.inet_ntop(socket.AF_INET, struct.pack("<I", int(ip_hex, 16)))
    else:  # /proc/net/tcp6: four little-endian 32-bit words
        ip = socket.inet_ntop(socket.AF_INET6, b"".join(struct.pack("<I", int(ip_hex[i : i + 8], 16)) for i in range(0, 32, 8)))
        ip = ip.removeprefix("::ffff:")
    return f"{ip}:{int(port_hex, 16)}"


def established(pid: int) -> dict:
    """inode -> (local, remote), from the process's own network namespace."""
    found = {}
    for table in ("tcp", "tcp6"):
        try:
            lines = open(f"/proc/{pid}/net/{table}").read().splitlines()[1:]
        except FileNotFoundError:
            continue
        for line in lines:
            f = line.split()
            if f[3] == ESTABLISHED:
                found[f[9]] = (addr(f[1]), addr(f[2]))
    return found


def main() -> int:
    pid = int(sys.argv[1])
    libc = ctypes.CDLL(None, use_errno=True)
    pidfd = os.pidfd_open(pid)
    sockets = established(pid)
    out = []
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue  # closed meanwhile
            inode = link[len("socket:[") : -1] if link.startswith("socket:[") else None
            if inode not in sockets:
                continue
            local_fd = libc.syscall(SYS_PIDFD_GETFD, pidfd, int(fd), 0)
            if local_fd < 0:
                raise OSError(ctypes.get_errno(), f"pidfd_getfd({pid}, {fd})")
            s = socket.socket(fileno=local_fd)
            try:
                nodelay = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
            finally:
                s.close()  # our duplicate only; the process's socket stays open
            local, remote = sockets[inode]
            out.append({"local": local, "remote": remote, "nodelay": nodelay})
    finally:
        os.close(pidfd)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
