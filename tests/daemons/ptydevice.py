#!/usr/bin/python3
"""Run a command on a new pseudo-terminal as a person signing in with the
device flow at a password prompt (ssh keyboard-interactive, no askpass).

    ptydevice.py CODE_FILE COMMAND...

- A prompt (output ending in ": ") that asks to approve "with code CODE"
  is a device-flow prompt: the code is written to CODE_FILE, then the
  driver waits (up to 60 s) until CODE_FILE.done exists (the test has
  approved at the auth center) and presses Enter.  Later such prompts
  ("Not approved yet...") get Enter after a second.
- Any other prompt gets an empty answer (Enter): the person types no
  password, which starts the device flow.
Everything the command wrote is copied to stdout.  Exits with the
command's exit code; gives up after 120 s (exit 124).
"""
import os
import pty
import re
import select
import sys
import time

CODE = re.compile(rb"with code ([A-Z0-9-]+), then press Enter: $")


def wait_for(path, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if os.path.exists(path):
            return
        time.sleep(0.1)


def main():
    if len(sys.argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    code_file = sys.argv[1]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(sys.argv[2], sys.argv[2:])
    out = b""
    pending = b""
    seen_code = False
    deadline = time.monotonic() + 120
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            sys.stdout.buffer.write(out.replace(b"\r", b""))
            return 124
        r, _, _ = select.select([fd], [], [], left)
        if not r:
            continue
        try:
            data = os.read(fd, 4096)
        except OSError:
            data = b""
        if not data:
            break
        out += data
        pending += data
        if not pending.endswith(b": "):
            continue
        m = CODE.search(pending)
        if m and not seen_code:
            seen_code = True
            with open(code_file, "wb") as f:
                f.write(m.group(1) + b"\n")
            wait_for(code_file + ".done", 60)
        elif m:
            time.sleep(1)
        os.write(fd, b"\n")
        pending = b""
    _, status = os.waitpid(pid, 0)
    sys.stdout.buffer.write(out.replace(b"\r", b""))
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main())
