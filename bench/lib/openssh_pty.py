#!/usr/bin/env python3
"""OpenSSH baseline for `npm run bench`: runs `ssh -tt` on a PTY (as a person's terminal would) and times,
from this side of the PTY, the same things bench/lib/terminals.ts times through the bastion. Measuring
here, not through a relay process, keeps the baseline free of any extra hop. Prints one JSON object.

  openssh_pty.py connect <ip> <user> <key>          -> {"firstByteMs", "promptMs"}
  openssh_pty.py echo    <ip> <user> <key> <count>  -> {"connect": {...}, "samples": [ms, ...]}
  openssh_pty.py bulk    <ip> <user> <key> <cmd>    -> {"connect": {...}, "bytes", "seconds"}
"""
import fcntl, json, os, pty, re, select, signal, struct, sys, termios, time

PROMPT = re.compile(rb"\$ (?:\x1b\[K)?$")
LETTERS = b"abcdefghijklmnopqrstuvwxyz"


def now_ms():
    return time.perf_counter() * 1000.0


class Session:
    def __init__(self, ip, user, key):
        self.t0 = now_ms()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.environ["TERM"] = "xterm-256color"
            os.execvp("ssh", ["ssh", "-tt", "-i", key, "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                              "-o", "LogLevel=ERROR", "-o", "BatchMode=yes", "-o", "ControlMaster=no", f"{user}@{ip}"])
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        # No local echo to turn off: ssh puts the PTY in raw mode itself, so every byte read is the VM's.
        self.tail = b""
        self.received = 0
        self.first_byte_ms = None

    def read(self, timeout):
        r, _, _ = select.select([self.fd], [], [], timeout)
        if not r:
            return b""
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:
            raise RuntimeError("ssh exited")
        if not chunk:
            raise RuntimeError("ssh exited")
        if self.first_byte_ms is None:
            self.first_byte_ms = now_ms() - self.t0
        self.received += len(chunk)
        self.tail = (self.tail + chunk)[-4096:]
        return chunk

    def until(self, pred, timeout_s):
        end = time.monotonic() + timeout_s
        while not pred():
            if time.monotonic() > end:
                raise RuntimeError(f"timed out; tail {self.tail[-200:]!r}")
            self.read(0.5)

    def prompt(self):
        self.until(lambda: PROMPT.search(self.tail), 30)
        return {"firstByteMs": self.first_byte_ms, "promptMs": now_ms() - self.t0}

    def close(self):
        try:
            os.write(self.fd, b"\x15exit\r")
            self.until(lambda: False, 0.3)
        except RuntimeError:
            pass
        try:
            os.kill(self.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        os.waitpid(self.pid, 0)


def echo(s, count):
    samples = []
    for i in range(count):
        if i % 50 == 49:  # Ctrl-U, not timed (same rhythm as terminals.ts)
            os.write(s.fd, b"\x15")
            time.sleep(0.02)
            while s.read(0):
                pass
        letter = LETTERS[i % 26]
        t0 = now_ms()
        os.write(s.fd, bytes([letter]))
        end = time.monotonic() + 10
        while True:
            chunk = s.read(max(0.0, end - time.monotonic()))
            if letter in chunk:
                samples.append(now_ms() - t0)
                break
            if time.monotonic() > end:
                raise RuntimeError("no echo within 10 s")
    os.write(s.fd, b"\x15")
    return samples


def bulk(s, command):
    start = s.received
    t0 = now_ms()
    os.write(s.fd, command.encode() + b"; echo BST''DONE\r")
    s.until(lambda: b"BSTDONE" in s.tail, 600)
    seconds = (now_ms() - t0) / 1000
    s.until(lambda: PROMPT.search(s.tail), 10)
    return {"bytes": s.received - start, "seconds": seconds}


def main():
    mode, ip, user, key = sys.argv[1:5]
    s = Session(ip, user, key)
    try:
        connect = s.prompt()
        if mode == "connect":
            out = connect
        elif mode == "echo":
            out = {"connect": connect, "samples": echo(s, int(sys.argv[5]))}
        elif mode == "bulk":
            out = {"connect": connect, **bulk(s, sys.argv[5])}
        else:
            raise SystemExit(f"unknown mode {mode}")
    finally:
        s.close()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
