#!/usr/bin/env python3
"""Loopback emulator of the ToAPIs video API, for tests, benchmarks and demos.

Usage: python3 tests/emulator/toapis_emulator.py [--host 127.0.0.1] [--port 0]
       [--key KEY] [--state-dir DIR] [--clip-mode static|from-frame]
       [--tls-cert CERT --tls-key KEY] [--quiet]

Prints "LISTENING <port>" on stdout once ready; see README.md in this folder.
The implementation lives in the toapis_emu package next to this file.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from toapis_emu.server import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
