#!/usr/bin/env python3
"""Runs a command and succeeds if it exits with the expected status.

Usage: exit_status.py STATUS COMMAND ARGS...
The command's stdout and stderr pass through.
"""

import subprocess
import sys

expected = int(sys.argv[1])
status = subprocess.run(sys.argv[2:]).returncode
if status != expected:
    print(f"exit status {status}, expected {expected}", file=sys.stderr)
sys.exit(0 if status == expected else 1)
