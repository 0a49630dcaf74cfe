#!/usr/bin/env python3
"""Summarizes a tuning database written by lowbit-compile --tune=measure and
checks that every kernel in the emitted source was built with the schedule
of one of its entries."""
import json
import re
import sys

db = json.load(open(sys.argv[1]))
entries = db["entries"]
measured = [e for e in entries if e.get("measured_us", 0) > 0]
print("entries with measured_us: %d" % len(measured))
schedules = {e["schedule"] for e in entries}
used = re.findall(r"^// schedule (\S+)$", open(sys.argv[2]).read(), re.M)
ok = bool(used) and all(s in schedules for s in used)
print("every kernel's schedule is a database entry's: %s" % ("yes" if ok else "no: %s vs %s" % (used, sorted(schedules))))
