"""The emulated ToAPIs endpoints (/v1/...) and the file host (/files/...).

route() maps a request to (script endpoint name, action). The action is a
zero-argument callable returning a Response, so the handler can run it,
replace its answer (scripts) or skip it.
"""
from __future__ import annotations

import functools
import hmac
import re
import secrets
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from .handler import Request, Response
from .models import MODELS, ValidationError, validate_create
from .multipart import sniff_image
from .state import STATUS_NAMES, Task

if TYPE_CHECKING:
    from .server import EmulatorServer

MAX_UPLOAD = 10 * 1024 * 1024  # "Maximum size is 10MB", taken as 10 MiB

AUTH_ERROR = {"error": {"code": 401, "message": "Authentication failed, please check your API key",
                        "type": "authentication_error"}}
TASK_NOT_FOUND = {"error": {"code": 404, "message": "Task not found", "type": "not_found_error"}}

Action = Callable[[], Response]


def route(server: EmulatorServer, req: Request) -> tuple[str | None, Action]:
    """(endpoint name for scripts, or None; the normal action)."""
    method, path = req.method, req.path
    bind = functools.partial
    if path == "/v1/uploads/images":
        return ("upload", bind(upload, server, req)) if method == "POST" else (None, _not_allowed)
    if path == "/v1/videos/generations":
        return ("create", bind(create, server, req)) if method == "POST" else (None, _not_allowed)
    if path.startswith("/v1/videos/generations/"):
        task_id = path[len("/v1/videos/generations/"):]
        if method == "GET" and "/" not in task_id:
            return "query", bind(query, server, req, task_id)
        return None, _not_allowed
    if path == "/v1/models":
        return ("models", bind(models, server, req)) if method == "GET" else (None, _not_allowed)
    if path.startswith("/files/videos/"):
        if method in ("GET", "HEAD"):
            return "download", bind(download, server, req, path[len("/files/videos/"):])
        return None, _not_allowed
    if path.startswith("/files/uploads/") and method in ("GET", "HEAD"):
        return None, bind(serve_upload, server, req, path[len("/files/uploads/"):])
    if path.startswith("/v1/"):
        return None, lambda: Response.json(404, {"error": {
            "code": 404, "message": "Not found", "type": "not_found_error"}})
    return None, lambda: Response.text(404, "404 page not found")


def _not_allowed() -> Response:
    return Response.json(405, {"error": {"code": 405, "message": "Method not allowed",
                                         "type": "invalid_request_error"}})


def _auth_error(server: EmulatorServer, req: Request) -> Response | None:
    header = req.headers.get("Authorization") or ""
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return Response.json(401, AUTH_ERROR)
    if server.key is not None and not hmac.compare_digest(token.encode(), server.key.encode()):
        return Response.json(401, AUTH_ERROR)
    return None


def _invalid(message: str, param: str | None) -> Response:
    return Response.json(400, {"error": {"code": "invalid_request", "message": message,
                                         "type": "invalid_request_error", "param": param}})


# ------------------------------------------------------------------- uploads
def _upload_error(message: str) -> Response:
    return Response.json(400, {"success": False, "message": message})


def upload(server: EmulatorServer, req: Request) -> Response:
    if (denied := _auth_error(server, req)) is not None:
        return denied
    if req.parts is None:
        return _upload_error("Invalid request: expected multipart/form-data with a 'file' field")
    file_part = next((p for p in req.parts if p.name == "file"), None)
    if file_part is None:
        return _upload_error("No file uploaded. Form field 'file' is required")
    if not file_part.data:
        return _upload_error("Uploaded file is empty")
    if len(file_part.data) > MAX_UPLOAD:
        return _upload_error("Image too large. Maximum size is 10MB")
    kind = sniff_image(file_part.data)
    if kind is None:
        return _upload_error("Unsupported image type. Allowed: JPEG, PNG, WebP, GIF")
    purpose_part = next((p for p in req.parts if p.name == "purpose"), None)
    purpose = purpose_part.data.decode("utf-8", "replace") if purpose_part else "generation"
    record = server.state.add_upload(file_part.data, kind[0], kind[1], purpose)
    return Response.json(200, {"success": True, "message": "", "data": {
        "id": record["id"],
        "url": f"{req.base_url}/files/uploads/{record['name']}",
        "mime_type": record["mime_type"],
        "size": record["size"],
    }})


def serve_upload(server: EmulatorServer, req: Request, name: str) -> Response:
    found = server.state.upload_file(name)
    if found is None:
        return _s3_error(404, "NoSuchKey", "The specified key does not exist.")
    path, mime = found
    return _file_response(req, path, path.stat().st_size, mime, allow_range=True)


# --------------------------------------------------------------------- tasks
def models(server: EmulatorServer, req: Request) -> Response:
    if (denied := _auth_error(server, req)) is not None:
        return denied
    return Response.json(200, {"object": "list", "data": [
        {"id": model_id, "object": "model", "owned_by": "toapis"} for model_id in MODELS]})


def create(server: EmulatorServer, req: Request) -> Response:
    if (denied := _auth_error(server, req)) is not None:
        return denied
    if not req.json_ok:
        return _invalid("Request body must be valid JSON", None)
    try:
        validate_create(req.json_body)
    except ValidationError as exc:
        return _invalid(exc.message, exc.param)
    task = server.state.create_task(req.json_body)
    names = STATUS_NAMES[server.state.get_scenario()["status_names"]]
    body = {"id": task.id, "object": "generation.task", "model": task.model,
            "status": names["queued"], "progress": 0, "created_at": int(task.created_at),
            "metadata": {}}
    if "client_business_id" in req.json_body:
        body["client_business_id"] = req.json_body["client_business_id"]
    return Response.json(200, body)


def query(server: EmulatorServer, req: Request, task_id: str) -> Response:
    if (denied := _auth_error(server, req)) is not None:
        return denied
    state = server.state
    with state.lock:
        task = state.tasks.get(task_id)
        if task is None:
            return Response.json(404, TASK_NOT_FOUND)
        status, progress = task.evaluate(time.time())
        return Response.json(200, render_task(task, status, progress, state.scenario,
                                              req.base_url))


def video_url(task: Task, base_url: str) -> str:
    return f"{base_url}/files/videos/{task.id}.mp4?sig={task.sig}&expires={task.expires_at}"


def render_task(task: Task, status: str, progress: int, scenario: dict, base_url: str) -> dict:
    """The task as the query endpoint shows it, per status_names/result_shape."""
    names = STATUS_NAMES[scenario["status_names"]]
    shape = scenario["result_shape"]
    out: dict = {"id": task.id, "object": "generation.task", "model": task.model,
                 "status": names[status], "progress": progress,
                 "created_at": int(task.created_at)}
    if status == "completed":
        url = None if scenario["complete_without_url"] else video_url(task, base_url)
        if shape == "ark":
            # Ark has no expires_at; its URL lives 24 h from generation.
            out["updated_at"] = task.completed_at
            out["content"] = {"video_url": url} if url else {}
        else:
            out["completed_at"] = task.completed_at
            out["expires_at"] = task.expires_at
            if shape == "top-level-url":
                if url:
                    out["url"] = url
            else:
                out["result"] = {"type": "video",
                                 "data": [{"url": url, "format": "mp4"}] if url else []}
    elif status == "failed":
        out["error"] = dict(task.error or {})
        if shape == "ark":
            out["updated_at"] = task.completed_at
    return out


# ----------------------------------------------------------------- downloads
def _s3_error(status: int, code: str, message: str) -> Response:
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{code}</Code><Message>{message}</Message>"
            f"<RequestId>{secrets.token_hex(8).upper()}</RequestId>"
            f"<HostId>{secrets.token_urlsafe(24)}</HostId></Error>")
    return Response(status, body.encode(), "application/xml")


HTML_PAGE = ("<!DOCTYPE html>\n<html><head><title>Sign in to the network</title></head>"
             "<body><h1>Welcome</h1><p>Please sign in to continue.</p></body></html>\n")


def download(server: EmulatorServer, req: Request, name: str) -> Response:
    state = server.state
    task_id = name[:-4] if name.endswith(".mp4") else None
    with state.lock:
        task = state.tasks.get(task_id) if task_id else None
        status = task.evaluate(time.time())[0] if task else None
        scenario = state.get_scenario()
    job = task.clip_job if task else None
    if task is None or status != "completed" or job is None or job.clip is None:
        return _s3_error(404, "NoSuchKey", "The specified key does not exist.")
    params = req.query
    sig = params.get("sig", [""])[0]
    expires = params.get("expires", [""])[0]
    if not sig or not hmac.compare_digest(sig.encode(), task.sig.encode()) \
            or expires != str(task.expires_at):
        return _s3_error(403, "AccessDenied",
                         "The request signature we calculated does not match the signature "
                         "you provided.")
    if scenario["url_expired"] or time.time() > (task.expires_at or 0):
        return _s3_error(403, "AccessDenied", "Request has expired")

    dl = scenario["download"]
    clip = job.clip
    range_header = req.headers.get("Range")

    def start_record(resp: Response, offset: int, length: int) -> None:
        """Count the download when it starts (a client may ask the admin API
        the moment it has the last byte); fill in the outcome when sent."""
        if req.method == "HEAD":
            return
        entry = {"time": time.time(), "range": range_header, "status": resp.status,
                 "offset": offset, "length": length, "bytes_sent": 0, "complete": False,
                 "body_kind": dl["body_kind"], "sha256": clip.sha256, "size": clip.size}
        state.record_download(task, entry)

        def finished(sent: int, complete: bool) -> None:
            with state.lock:
                entry["bytes_sent"], entry["complete"] = sent, complete
        resp.on_sent = finished

    if dl["body_kind"] == "html":
        resp = Response(200, HTML_PAGE.encode(), dl["content_type"] or "text/html; charset=utf-8")
        start_record(resp, 0, len(resp.body))
    else:
        resp = _file_response(req, clip.path, clip.size, dl["content_type"] or "video/mp4",
                              allow_range=not dl["no_range"], etag=clip.sha256[:32])
        if resp.file_path is not None:
            start_record(resp, resp.file_offset, resp.file_length)
    resp.truncate_at = dl["truncate_at"]
    resp.trickle_bps = dl["trickle_bps"]
    return resp


_RANGE_RE = re.compile(r"\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*")


def parse_range(header: str | None, size: int) -> tuple[int, int] | str | None:
    """A single byte range -> (start, end inclusive); "unsatisfiable"; or None
    to ignore the header (absent, multi-range or malformed, as RFC 9110 allows)."""
    if not header:
        return None
    match = _RANGE_RE.fullmatch(header)
    if not match or match.group(1) == match.group(2) == "":
        return None
    first, last = match.groups()
    if first == "":  # suffix range: the last N bytes
        suffix = int(last)
        if suffix == 0 or size == 0:
            return "unsatisfiable"
        return max(0, size - suffix), size - 1
    start = int(first)
    if last and int(last) < start:
        return None  # syntactically invalid: ignore
    if start >= size:
        return "unsatisfiable"
    end = int(last) if last else size - 1
    return start, min(end, size - 1)


def _file_response(req: Request, path: Path, size: int, content_type: str, allow_range: bool,
                   etag: str | None = None) -> Response:
    headers: list[tuple[str, str]] = []
    if allow_range:
        headers.append(("Accept-Ranges", "bytes"))
    if etag:
        headers.append(("ETag", f'"{etag}"'))
    wanted = parse_range(req.headers.get("Range"), size) if allow_range else None
    if wanted == "unsatisfiable":
        resp = _s3_error(416, "InvalidRange", "The requested range is not satisfiable")
        resp.headers = headers + [("Content-Range", f"bytes */{size}")]
        return resp
    if isinstance(wanted, tuple):
        start, end = wanted
        headers.append(("Content-Range", f"bytes {start}-{end}/{size}"))
        return Response(206, content_type=content_type, headers=headers, file_path=path,
                        file_offset=start, file_length=end - start + 1)
    return Response(200, content_type=content_type, headers=headers, file_path=path,
                    file_offset=0, file_length=size)
