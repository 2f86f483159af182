#!/usr/bin/python3
"""A scripted LightDM greeter for tests/daemons/greeter.sh.

Usage (the Exec line of its xgreeters .desktop file):
    greeter.py USER SESSION OUTDIR

Signs USER in the way a person at the login screen would: answers the
module's prompt with nothing (Enter), shows each message (it records them),
and when LightDM reports the authentication complete, starts SESSION.

It writes, in OUTDIR:
    events   one line per thing the greeter saw: "prompt <type> <text>",
             "message <type> <text>" (newlines in a text as "\\n"),
             "complete <0|1>", "start-session <name>" 
    code     the user code found in the first message (for the test to
             approve), written once the message arrived
"""

import os
import re
import sys

import gi

gi.require_version("LightDM", "1")
from gi.repository import GLib, LightDM  # noqa: E402

user, session, outdir = sys.argv[1:4]
loop = GLib.MainLoop()
events = open(outdir + "/events", "a", buffering=1)


def record(line):
    events.write(line.replace("\n", "\\n") + "\n")


def on_prompt(greeter, text, kind):
    record("prompt %s %s" % (kind.value_nick, text))
    greeter.respond("")


def on_message(greeter, text, kind):
    record("message %s %s" % (kind.value_nick, text))
    m = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", text)
    if m:
        with open(outdir + "/code.tmp", "w") as f:
            f.write(m.group(1) + "\n")
        os.rename(outdir + "/code.tmp", outdir + "/code")


def on_complete(greeter):
    ok = greeter.get_is_authenticated()
    record("complete %d" % ok)
    if ok:
        # LightDM stops the greeter as the session starts: record first.
        record("start-session %s" % session)
        try:
            greeter.start_session_sync(session)
        except GLib.Error as e:
            record("session-error %s" % e.message)
    loop.quit()


greeter = LightDM.Greeter()
greeter.connect("show-prompt", on_prompt)
greeter.connect("show-message", on_message)
greeter.connect("authentication-complete", on_complete)
try:
    greeter.connect_to_daemon_sync()
except GLib.Error as e:
    record("connect-error %s" % e.message)
    sys.exit(1)
record("connected")
greeter.authenticate(user)
GLib.timeout_add_seconds(100, loop.quit)
loop.run()
