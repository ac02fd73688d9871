#!/usr/bin/python3
"""A tiny QMP client for the faultcore QEMU tests (Python 3 stdlib only).

    vm = Vm(qemu, ["-blockdev", ...], workdir)   # starts QEMU, connects
    vm.cmd("query-blkdebug-faultcore", {"node-name": "dbg0"})  # -> return
    vm.qmp("blkdebug-faultcore-event", {...})  # -> the whole response
    vm.hmp('qemu-io disk0 "read 0 512"')       # -> HMP output text
    vm.shutdown()

Everything is bounded: connecting, every response and the shutdown have
timeouts, so a hung QEMU fails the test instead of hanging it.  QEMU's
stdout/stderr go to <workdir>/qemu.log (qemu-io commands run through HMP
print there when they complete asynchronously).
"""

import atexit
import json
import signal
import os
import socket
import subprocess
import sys
import time

TIMEOUT = 20.0

# run.sh's timeout ends a case with SIGTERM: exit through atexit then, so
# that QEMU is killed too.
signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


class QmpError(Exception):
    pass


class Vm:
    def __init__(self, qemu, args, workdir, timeout=TIMEOUT):
        self.workdir = workdir
        self.sock_path = os.path.join(workdir, "qmp.sock")
        self.log_path = os.path.join(workdir, "qemu.log")
        self.events = []
        self._buf = b""
        self._log_seen = 0  # how much of the log qemu_io() has shown
        self._log = open(self.log_path, "wb")
        cmdline = ["timeout", "-k", "5", str(int(timeout * 6)), qemu,
                   "-M", "none", "-nodefaults", "-display", "none",
                   "-qmp", "unix:%s,server=on,wait=off" % self.sock_path,
                   ] + list(args)
        self.proc = subprocess.Popen(cmdline, stdin=subprocess.DEVNULL,
                                     stdout=self._log,
                                     stderr=subprocess.STDOUT)
        # A test that fails half-way must not leave QEMU running.
        atexit.register(self._kill)
        self.sock = self._connect(timeout)
        self.sock.settimeout(timeout)
        greeting = self._read_msg()
        if "QMP" not in greeting:
            raise QmpError("no QMP greeting: %r" % greeting)
        self.cmd("qmp_capabilities")

    def _connect(self, timeout):
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise QmpError("QEMU exited with %d before QMP was up:\n%s"
                               % (self.proc.returncode, self.log()))
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(self.sock_path)
                return s
            except OSError:
                s.close()
                if time.monotonic() > deadline:
                    raise QmpError("cannot connect to %s" % self.sock_path)
                time.sleep(0.05)

    def _read_msg(self):
        while b"\n" not in self._buf:
            data = self.sock.recv(65536)
            if not data:
                raise QmpError("QMP connection closed:\n%s" % self.log())
            self._buf += data
        line, self._buf = self._buf.split(b"\n", 1)
        return json.loads(line)

    def qmp(self, command, arguments=None):
        """Sends a command; returns its response ({"return": ...} or
        {"error": ...}).  Events that arrive meanwhile go to self.events."""
        msg = {"execute": command}
        if arguments is not None:
            msg["arguments"] = arguments
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            resp = self._read_msg()
            if "event" in resp:
                self.events.append(resp)
                continue
            return resp

    def cmd(self, command, arguments=None):
        """Like qmp(), but raises on an error response; returns "return"."""
        resp = self.qmp(command, arguments)
        if "error" in resp:
            raise QmpError("%s: %s" % (command, resp["error"]["desc"]))
        return resp["return"]

    def wait_event(self, name, timeout=TIMEOUT):
        """Returns (and removes) the first event `name` received, waiting
        for it up to timeout seconds; None if none came."""
        deadline = time.monotonic() + timeout
        while True:
            for i, ev in enumerate(self.events):
                if ev["event"] == name:
                    return self.events.pop(i)
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            saved = self.sock.gettimeout()
            self.sock.settimeout(left)
            try:
                msg = self._read_msg()
            except socket.timeout:
                return None
            finally:
                self.sock.settimeout(saved)
            if "event" in msg:
                self.events.append(msg)

    def hmp(self, command_line):
        return self.cmd("human-monitor-command",
                        {"command-line": command_line})

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def qemu_io(self, cmd, device="disk0"):
        """Runs a qemu-io command through HMP; prints what it printed."""
        self.hmp('qemu-io %s "%s"' % (device, cmd))
        log = self.log()
        print("qemu-io %s -> %s" % (cmd, log[self._log_seen:].strip()))
        self._log_seen = len(log)

    def skip_log(self):
        """The next qemu_io() shows only what QEMU prints after this call
        (for output that differs from run to run, such as asynchronous
        qemu-io completions)."""
        self._log_seen = len(self.log())

    def wait_log(self, text, timeout=TIMEOUT):
        """Waits until QEMU's output contains text; returns True if so."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log():
                return True
            time.sleep(0.02)
        return text in self.log()

    def _kill(self):
        """Kills QEMU and its `timeout` wrapper, which runs them both in a
        process group of its own (killing only the wrapper would leave
        QEMU running)."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except OSError:
                self.proc.kill()
            self.proc.wait()

    def shutdown(self, timeout=TIMEOUT):
        """Quits QEMU; returns its exit status (-9 if it had to be killed)."""
        try:
            self.cmd("quit")
        except (QmpError, OSError):
            pass
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self._kill()
            rc = -9
        self.sock.close()
        self._log.close()
        return rc


def describe_error(resp):
    """'error: <class>: <desc>' or 'ok' for a QMP response."""
    if "error" in resp:
        return "error: %s: %s" % (resp["error"]["class"],
                                  resp["error"]["desc"])
    return "ok"


# ---- Helpers for the cases (run.sh sets the environment) ---------------

def env(name):
    return os.environ[name]


def run(args, timeout=TIMEOUT):
    """Runs a command bounded by timeout; returns its output (stdout and
    stderr)."""
    try:
        p = subprocess.run(args, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout,
                           stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return "TIMEOUT: %s still ran after %ss\n" % (args[0], timeout)
    return p.stdout.decode(errors="replace")


def make_disk(size="4M", pattern="0xaa"):
    """A raw image TEST_DIR/disk.img filled with pattern; returns its path."""
    disk = os.path.join(env("TEST_DIR"), "disk.img")
    run([env("QEMU_IMG"), "create", "-f", "raw", disk, size])
    run([env("QEMU_IO"), "-f", "raw", "-c",
         "write -P %s 0 %s" % (pattern, size), disk])
    return disk


def write_file(name, text):
    path = os.path.join(env("TEST_DIR"), name)
    with open(path, "w") as f:
        f.write(text)
    return path


def faultcore_drive(rules, disk, drive_id="disk0", node="dbg0",
                    raw_node="raw0", extra=""):
    """-drive arguments: a BlockBackend drive_id with the raw node raw_node
    over the blkdebug node `node` with faultcore over the file disk.  A
    named BlockBackend lets HMP qemu-io run on it without a temporary one
    (whose removal would drain the node)."""
    opts = ("if=none,id=%s,node-name=%s,format=raw,file.driver=blkdebug,"
            "file.node-name=%s,file.faultcore=%s,"
            "file.image.driver=file,file.image.filename=%s"
            % (drive_id, raw_node, node, rules, disk))
    if extra:
        opts += "," + extra
    return ["-drive", opts]


def start_vm(args):
    return Vm(env("QEMU"), args, env("TEST_DIR"))


def sector(n, count=1):
    """'OFFSET BYTES' of count sectors from sector n, for qemu-io."""
    return "%d %d" % (n * 512, count * 512)


def show(title, value):
    print("%s: %s" % (title, value))


def rule_counters(vm, node="dbg0"):
    """The query as 'state S; name: matches M fires F held H healed B'."""
    info = vm.cmd("query-blkdebug-faultcore", {"node-name": node})
    lines = ["state %s" % info["state"]]
    for r in info["rules"]:
        lines.append("  rule %d %s: matches %d fires %d held %d healed %d"
                     % (r["id"], r["name"], r["matches"], r["fires"],
                        r["held"], r["healed-bytes"]))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit("qmp.py is a module for tests/qemu/cases/*.py")
