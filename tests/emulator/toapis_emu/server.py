"""Command line, HTTP(S) server, startup and clean shutdown."""
from __future__ import annotations

import argparse
import shutil
import signal
import socket
import ssl
import sys
import tempfile
import threading
import traceback
from http.server import ThreadingHTTPServer
from pathlib import Path

from .clips import MAX_FROM_FRAME_SECONDS, ClipFactory
from .handler import Handler
from .state import CLIP_MODES, State


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True      # hung/idle connections never block exit
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], state: State, key: str | None, quiet: bool,
                 tls: ssl.SSLContext | None) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, Handler)
        if tls is not None:
            # Handshake deferred to the connection thread (Handler.setup).
            self.socket = tls.wrap_socket(self.socket, server_side=True,
                                          do_handshake_on_connect=False)
        self.state = state
        self.key = key
        self.quiet = quiet
        self.scheme = "https" if tls is not None else "http"
        self.port: int = self.server_address[1]
        host = address[0]
        self.url_host = "127.0.0.1" if host in ("", "0.0.0.0") else (
            f"[{host}]" if ":" in host else host)
        self.stop_event = threading.Event()

    def handle_error(self, request: object, client_address: object) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, (OSError, ssl.SSLError)):  # resets, refused TLS handshakes...
            if not self.quiet:
                sys.stderr.write(f"connection error: {type(exc).__name__}\n")
            return
        traceback.print_exc(file=sys.stderr)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="toapis_emulator.py",
                                description="Loopback emulator of the ToAPIs video API.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0 picks a free port")
    p.add_argument("--key", help="expected API key (default: any non-empty bearer token)")
    p.add_argument("--state-dir", help="where uploads and clips are kept "
                                       "(default: a temporary directory removed at exit)")
    p.add_argument("--clip-mode", choices=CLIP_MODES, default="static")
    p.add_argument("--max-clip-seconds", type=int, default=MAX_FROM_FRAME_SECONDS,
                   help="longest from-frame clip (default %(default)s s)")
    p.add_argument("--tls-cert", help="PEM certificate: serve HTTPS")
    p.add_argument("--tls-key", help="PEM private key for --tls-cert")
    p.add_argument("--quiet", action="store_true", help="no per-request log lines")
    args = p.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        p.error("--tls-cert and --tls-key go together")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)

    def log(message: str) -> None:
        if not args.quiet:
            sys.stderr.write(message + "\n")
            sys.stderr.flush()

    temp_dir = None
    if args.state_dir:
        root = Path(args.state_dir)
        root.mkdir(parents=True, exist_ok=True)
    else:
        temp_dir = tempfile.mkdtemp(prefix="toapis-emu-")
        root = Path(temp_dir)

    stop = threading.Event()
    # Handlers first: a SIGTERM during startup must still clean up.
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    factory = ClipFactory(root / "clips", log, max_from_frame_seconds=args.max_clip_seconds)
    server: EmulatorServer | None = None
    serving = False
    try:
        factory.make_static()
        state = State(root, factory, args.clip_mode, log)
        tls = None
        if args.tls_cert:
            tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            tls.load_cert_chain(args.tls_cert, args.tls_key)
        server = EmulatorServer((args.host, args.port), state, args.key, args.quiet, tls)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                                  daemon=True, name="serve")
        thread.start()
        serving = True
        sys.stdout.write(f"LISTENING {server.port}\n")
        sys.stdout.flush()
        while not stop.wait(0.5):
            pass
        return 0
    finally:
        factory.shutdown()
        if server is not None:
            server.stop_event.set()
            if serving:  # shutdown() would wait forever for a loop never started
                server.shutdown()
            server.server_close()
        if temp_dir:
            shutil.rmtree(temp_dir, ignore_errors=True)
