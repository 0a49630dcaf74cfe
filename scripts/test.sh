#!/usr/bin/env bash
# Installs what is missing, builds lowbit, and runs every test (unit tests and
# lit tests), printing the totals of each.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/setup.sh"
"$ROOT/scripts/build.sh" check-lowbit
