"""The HTTP request handler: reads the request, records it, applies latency
and scripted responses, dispatches to api/admin and writes the response.

Handlers in api.py and admin.py return a Response instead of writing to the
socket, so a scripted entry can run the normal behaviour (``then_create``)
and still replace what the client sees.
"""
from __future__ import annotations

import base64
import json
import re
import select
import socket
import ssl
import sys
import time
import traceback
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable
from urllib.parse import parse_qs, urlsplit

from .multipart import MultipartError, Part, boundary_of, parse_multipart

if TYPE_CHECKING:
    from .server import EmulatorServer

MAX_BODY = 64 * 1024 * 1024   # larger bodies get 413 without being read
SEND_CHUNK = 1024 * 1024
_HOST_RE = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")
_INVALID = object()  # marker: the body was present but is not valid JSON
_TASK_IN_PATH = re.compile(r"^/(?:v1/videos/generations/([^/]+)|files/videos/([^/]+?)\.mp4)$")
# Entry fields that alter the normal answer of a passthrough entry.
PASSTHROUGH_MODIFIERS = ("content_length", "trickle_bps", "delay_ms", "headers")


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    # Serve a region of a file instead of body (streamed, not loaded).
    file_path: Path | None = None
    file_offset: int = 0
    file_length: int = 0
    # Misbehaviour used by scenarios and scripts.
    content_length: int | None = None  # Content-Length to announce instead of the real one
    truncate_at: int | None = None     # stop after this many body bytes and close
    trickle_bps: int | None = None     # throttle the body to this many bytes per second
    close: bool = False                # close the connection after this response
    on_sent: Callable[[int, bool], None] | None = None  # (bytes_sent, complete)

    @classmethod
    def json(cls, status: int, obj: Any, headers: list[tuple[str, str]] | None = None) -> Response:
        return cls(status, json.dumps(obj).encode(), "application/json", headers or [])

    @classmethod
    def text(cls, status: int, text: str,
             content_type: str = "text/plain; charset=utf-8") -> Response:
        return cls(status, text.encode(), content_type)


@dataclass
class Request:
    method: str
    path: str
    raw_query: str
    headers: Message
    body: bytes
    base_url: str          # scheme://host as the client addressed us
    json_body: Any = None  # parsed JSON, _INVALID, or None when there is no body
    parts: list[Part] | None = None  # multipart parts when the body is multipart

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(self.raw_query, keep_blank_values=True)

    @property
    def json_ok(self) -> bool:
        return self.json_body is not _INVALID and self.json_body is not None


class BodyError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "toapis-emulator/1.0"
    sys_version = ""

    def version_string(self) -> str:
        return self.server_version
    timeout = 300  # drop idle keep-alive connections eventually
    server: EmulatorServer

    def setup(self) -> None:
        super().setup()
        # The listening socket defers the TLS handshake so a slow or refusing
        # client cannot stall accept(); do it here, in this connection's thread.
        if isinstance(self.connection, ssl.SSLSocket):
            self.connection.do_handshake()

    # ---------------------------------------------------------------- logging
    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        self._log_line(str(int(code)) if isinstance(code, int) else str(code))

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # log_error() details could echo request lines (with queries); stay quiet

    def _log_line(self, outcome: str) -> None:
        """One line per request: method, path without query, outcome. Never
        headers, bodies or the query string (signed URLs carry secrets)."""
        if self.server.quiet:
            return
        raw = getattr(self, "path", None)
        path = urlsplit(raw).path if isinstance(raw, str) else "-"
        path = "".join(c if c.isprintable() else "?" for c in path)[:200] or "-"
        sys.stderr.write(f"{self.command or '-'} {path} {outcome}\n")
        sys.stderr.flush()

    # --------------------------------------------------------------- dispatch
    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    def _dispatch(self) -> None:
        self._headers_sent = False
        try:
            self._handle()
        except (ConnectionError, TimeoutError, ssl.SSLError, socket.timeout):
            self.close_connection = True
        except Exception:  # a bug must not kill the server or the connection silently
            traceback.print_exc(file=sys.stderr)
            self.close_connection = True
            if not self._headers_sent:
                try:
                    self._send(Response.json(500, {"error": {
                        "code": "internal_error", "message": "emulator internal error",
                        "type": "server_error"}}))
                except OSError:
                    pass

    def _handle(self) -> None:
        from . import admin, api  # late import: both modules import this one

        url = urlsplit(self.path)
        path = url.path if url.path == "/" else url.path.rstrip("/")
        arrived = time.time()
        try:
            body = self._read_body()
        except BodyError as exc:
            self._send(Response.json(exc.status, {"error": {
                "code": "invalid_request", "message": exc.message,
                "type": "invalid_request_error"}}), close=True)
            return
        req = Request(self.command, path, url.query, self.headers, body, self._base_url())
        self._parse_body(req)

        if path == "/_emu" or path.startswith("/_emu/"):
            self._send(admin.handle(self.server, req), head_only=self.command == "HEAD")
            return

        endpoint, action = api.route(self.server, req)
        log_entry = self._log_entry(req, arrived, endpoint)
        self.server.state.log_request(log_entry)

        latency = self.server.state.get_scenario()["latency_ms"]
        if latency:
            time.sleep(latency / 1000)
        script = self.server.state.pop_script(endpoint) if endpoint else None
        if script is not None and not script.get("passthrough"):
            with self.server.state.lock:  # the entry is already in the shared log
                log_entry["scripted"] = True
            self._apply_script(script, action, req)
            return
        if script is not None and any(k in script for k in PASSTHROUGH_MODIFIERS):
            # The normal answer, misbehaving as the entry says (e.g. a short Content-Length).
            with self.server.state.lock:
                log_entry["scripted"] = True
            if script.get("delay_ms"):
                time.sleep(script["delay_ms"] / 1000)
            resp = action()
            resp.headers = resp.headers + [(k, str(v)) for k, v in script.get("headers", {}).items()]
            if "content_length" in script:
                resp.content_length = int(script["content_length"])
                resp.close = True
            if script.get("trickle_bps"):
                resp.trickle_bps = script["trickle_bps"]
            self._send(resp, head_only=self.command == "HEAD")
            return
        self._send(action(), head_only=self.command == "HEAD")

    # ----------------------------------------------------------- request body
    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked()
        value = self.headers.get("Content-Length")
        if value is None:
            return b""
        try:
            length = int(value)
            if length < 0:
                raise ValueError
        except ValueError:
            raise BodyError(400, "Invalid Content-Length") from None
        if length > MAX_BODY:
            raise BodyError(413, "Request body too large")
        data = self.rfile.read(length)
        if len(data) < length:
            raise ConnectionError("client closed the connection mid-body")
        return data

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(1024)
            if not line:
                raise ConnectionError("client closed the connection mid-body")
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise BodyError(400, "Malformed chunked body") from None
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            total += size
            if total > MAX_BODY:
                raise BodyError(413, "Request body too large")
            chunks.append(self.rfile.read(size))
            self.rfile.readline(16)

    def _parse_body(self, req: Request) -> None:
        content_type = req.headers.get("Content-Type")
        if boundary_of(content_type):
            try:
                req.parts = parse_multipart(req.body, content_type)
            except MultipartError:
                req.parts = None
            return
        if req.body:
            try:
                req.json_body = json.loads(req.body)
            except ValueError:  # includes UnicodeDecodeError
                req.json_body = _INVALID

    def _base_url(self) -> str:
        host = (self.headers.get("Host") or "").strip()
        if not _HOST_RE.match(host):
            host = f"{self.server.url_host}:{self.server.port}"
        return f"{self.server.scheme}://{host}"

    def _log_entry(self, req: Request, arrived: float, endpoint: str | None) -> dict:
        headers: dict[str, str] = {}
        for name, value in req.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        return {
            "method": req.method,
            "path": req.path,
            "query": req.raw_query,
            "headers": headers,
            "json": req.json_body if req.json_ok else None,
            "multipart": [p.summary() for p in req.parts or []],
            "body_size": len(req.body),
            "time": arrived,
            "endpoint": endpoint,
            "scripted": False,
        }

    # ---------------------------------------------------------------- scripts
    def _apply_script(self, entry: dict, action: Callable[[], Response], req: Request) -> None:
        if entry.get("delay_ms"):
            time.sleep(entry["delay_ms"] / 1000)
        created_id = None
        if entry.get("then_create"):
            normal = action()  # normal side effects (the task is created); response replaced
            try:
                created_id = json.loads(normal.body).get("id") if normal.body else None
            except (ValueError, AttributeError):
                created_id = None
        entry = self._fill_placeholders(entry, req, created_id)
        if entry.get("close"):
            self.close_connection = True
            self._log_line("closed (scripted)")
            return
        if entry.get("hang"):
            self._log_line("hang (scripted)")
            self._hang()
            return
        headers = [(k, str(v)) for k, v in entry.get("headers", {}).items()]
        content_length = entry.get("content_length")
        for name, value in list(headers):
            if name.lower() == "content-length":  # same as content_length
                headers.remove((name, value))
                content_length = int(value)
        if "json" in entry:
            resp = Response.json(entry["status"], entry["json"])
        elif "body_b64" in entry:
            resp = Response(entry["status"], base64.b64decode(entry["body_b64"]),
                            "application/octet-stream")
        else:
            resp = Response.text(entry["status"], entry.get("body", ""))
        if any(k.lower() == "content-type" for k, _ in headers):
            resp.content_type = None
        resp.headers = headers
        if content_length is not None:
            resp.content_length = int(content_length)
            resp.close = True
        resp.trickle_bps = entry.get("trickle_bps")
        self._send(resp, head_only=self.command == "HEAD")

    def _fill_placeholders(self, entry: dict, req: Request, created_id: str | None) -> dict:
        """{{task_id}}, {{base_url}} and {{video_url}} in json strings, body and header values."""
        if "{{" not in json.dumps(entry):
            return entry
        from . import api  # late import: api imports this module
        task_id = created_id
        if task_id is None:
            m = _TASK_IN_PATH.match(req.path)
            task_id = (m.group(1) or m.group(2)) if m else None
        values = {"base_url": req.base_url, "task_id": task_id or ""}
        state = self.server.state
        with state.lock:
            task = state.tasks.get(task_id) if task_id else None
            if task is not None:
                task.evaluate(time.time())  # completes it if due, so the URL carries its expiry
            values["video_url"] = api.video_url(task, req.base_url) if task else ""

        def fill(value: Any) -> Any:
            if isinstance(value, str):
                for name, text in values.items():
                    value = value.replace("{{" + name + "}}", text)
                return value
            if isinstance(value, list):
                return [fill(v) for v in value]
            if isinstance(value, dict):
                return {k: fill(v) for k, v in value.items()}
            return value

        out = dict(entry)
        for key in ("json", "body", "headers"):
            if key in out:
                out[key] = fill(out[key])
        return out

    def _hang(self) -> None:
        """Never answer; return when the client closes or the server stops."""
        self.close_connection = True
        sock = self.connection
        while not self.server.stop_event.is_set():
            try:
                readable, _, _ = select.select([sock], [], [], 0.2)
                if readable and not sock.recv(65536):
                    return
            except ssl.SSLWantReadError:
                continue
            except (OSError, ValueError):
                return

    # --------------------------------------------------------------- response
    def _send(self, resp: Response, head_only: bool = False, close: bool = False) -> None:
        length = resp.file_length if resp.file_path is not None else len(resp.body)
        announced = resp.content_length if resp.content_length is not None else length
        close = close or resp.close or resp.truncate_at is not None or announced != length
        self.send_response(resp.status)
        if resp.content_type:
            self.send_header("Content-Type", resp.content_type)
        for name, value in resp.headers:
            self.send_header(name, value)
        if resp.status >= 200 and resp.status not in (204, 304):
            self.send_header("Content-Length", str(announced))
        if close:
            self.send_header("Connection", "close")  # also sets close_connection
        self.end_headers()
        self._headers_sent = True
        if head_only or resp.status < 200 or resp.status in (204, 304):
            return
        limit = length if resp.truncate_at is None else min(length, resp.truncate_at)
        sent = 0
        try:
            if resp.file_path is not None:
                sent = self._send_file(resp.file_path, resp.file_offset, limit, resp.trickle_bps)
            else:
                sent = self._write(resp.body[:limit], resp.trickle_bps)
        except OSError:
            self.close_connection = True
        finally:
            if resp.on_sent:
                resp.on_sent(sent, sent == length)

    def _write(self, data: bytes, bps: int | None) -> int:
        if not bps:
            self.wfile.write(data)
            return len(data)
        sent = 0
        start = time.monotonic()
        chunk = max(1, min(64 * 1024, bps // 20))
        while sent < len(data):
            # Pace against the start time so rounding does not accumulate.
            delay = start + sent / bps - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            piece = data[sent:sent + chunk]
            self.wfile.write(piece)
            sent += len(piece)
        return sent

    def _send_file(self, path: Path, offset: int, count: int, bps: int | None) -> int:
        with open(path, "rb") as f:
            if not bps and count > 0:
                # sendfile(2) for plain sockets (throughput matters for the
                # download benchmark); SSL sockets fall back to send().
                return self.connection.sendfile(f, offset, count)
            f.seek(offset)
            sent = 0
            while sent < count:
                data = f.read(min(SEND_CHUNK, count - sent))
                if not data:
                    break
                sent += self._write(data, bps)
            return sent
