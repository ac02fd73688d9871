#!/usr/bin/python3
"""convert round-trips text <-> binary; fmt prints canonical text and is
idempotent; in-place formatting keeps comments safe."""

import os
import unittest

import clitest
from clitest import run, write


def tmp(name):
    return os.path.join(clitest.tmpdir(), name)


def read(path):
    with open(path, "rb") as f:
        return f.read()


class ConvertFmtTest(unittest.TestCase):

    def ok(self, *args, stdin=None):
        result = run(*args, stdin=stdin)
        self.assertEqual(result.code, 0, result)
        return result

    def test_round_trips_for_every_example(self):
        for path in clitest.examples():
            with self.subTest(path=path):
                base = os.path.basename(path)
                canonical = self.ok("fmt", path).out
                binary = tmp(base + ".binpb")
                text = tmp(base + ".txtpb")
                binary2 = tmp(base + ".2.binpb")
                self.ok("convert", path, binary)
                self.ok("convert", binary, text)
                self.ok("convert", text, binary2)
                # text -> binary -> text gives the canonical text;
                # binary -> text -> binary gives the same bytes.
                self.assertEqual(read(text).decode(), canonical)
                self.assertEqual(read(binary), read(binary2))
                # fmt is idempotent, also from binary.
                self.assertEqual(self.ok("fmt", text).out, canonical)
                self.assertEqual(self.ok("fmt", binary).out, canonical)
                # Every form means the same to the engine.
                for form in (binary, text):
                    self.assertEqual(
                        run("explain", form, "--op", "read", "--lba", "0",
                            "--blocks", "100000", "--json").json_lines()[0]
                        ["action"],
                        run("explain", path, "--op", "read", "--lba", "0",
                            "--blocks", "100000", "--json").json_lines()[0]
                        ["action"])
                    self.assertEqual(run("lint", form).code, 0)

    def test_canonical_text(self):
        path = write("messy.txtpb",
                     '# comment\nrules{name:"x" media_error{} ops:[READ]\n'
                     'codes { scsi { asc: 17 ascq: 1 } nvme { sc: 129 } '
                     'ata { status: 65 error: 64 } errno_value: 5 }\n'
                     'range{lba:0100 count:2} trigger{probability:0.25}}\n'
                     'transitions{event:"e" to:"a"} states:"a"\n')
        result = self.ok("fmt", path)
        self.assertEqual(result.out, '''\
states: "a"

rules {
  name: "x"
  ops: [READ]
  range {
    lba: 64
    count: 2
  }
  trigger {
    probability: 0.25
  }
  codes {
    scsi {
      asc: 0x11
      ascq: 0x01
    }
    nvme {
      sc: 0x81
    }
    ata {
      status: 0x41
      error: 0x40
    }
    errno_value: 5
  }
  media_error {
  }
}

transitions {
  event: "e"
  to: "a"
}
''')
        self.assertIn("has 1 comment; canonical text keeps none", result.err)

    def test_octal_pitfall(self):
        # Protobuf text format reads a leading 0 as octal: 0100 is LBA 64.
        path = write("octal.txtpb",
                     'rules { name: "o" range { lba: 0100 } media_error {} }\n')
        [v] = run("explain", path, "--op", "read", "--lba", "60", "--blocks",
                  "10", "--json").json_lines()
        self.assertEqual(v["first_bad_lba"], 64)
        # The CLI itself has no octal: --lba 0100 is one hundred.
        [w] = run("explain", path, "--op", "read", "--lba", "0100",
                  "--json").json_lines()
        self.assertEqual((w["lba"], w["action"]), (100, "pass"))

    def test_check(self):
        canonical = tmp("canonical.txtpb")
        with open(canonical, "w") as f:
            f.write(self.ok("fmt", "examples/demo.txtpb").out)
        result = run("fmt", "--check", canonical)
        self.assertEqual((result.code, result.out), (0, ""), result)
        result = run("fmt", "--check", canonical, "examples/demo.txtpb")
        self.assertEqual(result.code, 1, result)
        self.assertEqual(result.out, "examples/demo.txtpb\n")

    def test_in_place_keeps_comments_safe(self):
        original = read("examples/dying_disk.txtpb")
        path = write("commented.txtpb", original)
        result = run("fmt", "-i", path)
        self.assertEqual(result.code, 1, result)
        self.assertRegex(result.err, r"^%s:1:1: error: the file has \d+ "
                         r"comments that canonical text cannot keep; not "
                         r"rewritten" % path)
        self.assertEqual(read(path), original)
        self.ok("fmt", "-i", "--drop-comments", path)
        self.assertEqual(read(path).decode(),
                         self.ok("fmt", "examples/dying_disk.txtpb").out)
        before = os.stat(path).st_mtime_ns
        self.ok("fmt", "--in-place", path)  # Already canonical: untouched.
        self.assertEqual(os.stat(path).st_mtime_ns, before)

    def test_in_place_refuses_binary(self):
        binary = tmp("x.binpb")
        self.ok("convert", "examples/demo.txtpb", binary)
        result = run("fmt", "-i", binary)
        self.assertEqual(result.code, 1, result)
        self.assertIn("binary rule file: fmt rewrites text files only",
                      result.err)

    def test_stdin_and_stdout(self):
        text = read("examples/demo.txtpb")
        out = tmp("stdin.binpb")
        self.ok("convert", "-", out, stdin=text)
        piped = self.ok("convert", "-", "-", "--to", "binary", stdin=text)
        self.assertEqual(piped.raw_out, read(out))
        canonical = self.ok("fmt", "examples/demo.txtpb").out
        self.assertEqual(self.ok("fmt", "-", stdin=read(out)).out, canonical)
        self.assertEqual(
            self.ok("fmt", "--from", "binary", "-", stdin=read(out)).out,
            canonical)
        self.assertEqual(
            self.ok("convert", "--to", "text", "-", "-", stdin=read(out)).out,
            canonical)

    def test_convert_over_itself(self):
        path = write("self.txtpb", read("examples/demo.txtpb"))
        self.ok("convert", path, path)
        self.assertEqual(read(path).decode(),
                         self.ok("fmt", "examples/demo.txtpb").out)


if __name__ == "__main__":
    clitest.main()
