#!/usr/bin/python3
"""Run a command on a new pseudo-terminal and answer its prompts.

    ptyrun.py ANSWER_FILE COMMAND...

Each time the command's output ends with a prompt (a line ending in ": "
with nothing after it), the next line of ANSWER_FILE is typed, followed
by a newline.  Everything the command wrote is copied to stdout, with the
answers cut out (they are tokens).  Exits with the command's exit code;
gives up after 60 s (exit 124).
"""
import os
import pty
import select
import sys
import time


def main():
    if len(sys.argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    with open(sys.argv[1], "rb") as f:
        answers = [a for a in f.read().split(b"\n") if a]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(sys.argv[2], sys.argv[2:])
    out = b""
    pending = b""
    deadline = time.monotonic() + 60
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
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
        if pending.endswith(b": ") and answers:
            os.write(fd, answers.pop(0) + b"\n")
            pending = b""
    _, status = os.waitpid(pid, 0)
    with open(sys.argv[1], "rb") as f:
        for a in f.read().split(b"\n"):
            if a:
                out = out.replace(a, b"<answer>")
    sys.stdout.buffer.write(out.replace(b"\r", b""))
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main())
