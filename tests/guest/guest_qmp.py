"""guest_qmp.py: a minimal QMP client for the real-guest suites' host-side
controllers (ask_controller.py, soak_controller.py).

Qmp(path, timeout) connects to a QEMU's QMP socket, retrying until QEMU has
made it (the guest boots concurrently), and negotiates capabilities.
cmd(name, args) returns the command's "return" and raises RuntimeError with
QEMU's description on an error; events that arrive meanwhile are queued and
event(name, timeout) takes the first of that name.
"""

import json
import socket
import time


class Qmp:
    def __init__(self, path, timeout):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self.buf = b""
        self.events = []
        self.read()  # greeting
        self.cmd("qmp_capabilities")

    def read(self):
        while b"\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError("QMP connection closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def cmd(self, name, args=None):
        msg = {"execute": name}
        if args is not None:
            msg["arguments"] = args
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            resp = self.read()
            if "event" in resp:
                self.events.append(resp)
                continue
            if "error" in resp:
                raise RuntimeError("%s: %s" % (name, resp["error"]["desc"]))
            return resp["return"]

    def event(self, name, timeout):
        deadline = time.monotonic() + timeout
        while True:
            for i, ev in enumerate(self.events):
                if ev["event"] == name:
                    return self.events.pop(i)
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                msg = self.read()
            except socket.timeout:
                return None
            finally:
                self.sock.settimeout(None)
            if "event" in msg:
                self.events.append(msg)
