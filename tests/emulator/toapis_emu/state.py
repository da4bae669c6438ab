"""Shared, thread-safe emulator state: scenario, tasks, uploads, request log
and scripted responses. Every access goes through State.lock.
"""
from __future__ import annotations

import base64
import copy
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

from .clips import ClipFactory, ClipJob
from .models import first_frame_url

RESULT_TTL = 86400  # seconds a result URL stays valid (expires_at - completed_at)
CLIP_WAIT_TIMEOUT = 180.0
MAX_LARGE_CLIP_MB = 4096  # the file is written to the state dir: keep typos from filling a disk

DEFAULT_FAIL = {"code": "generation_failed",
                "message": "Generation failed: Content violates the content policy"}

STATUS_NAMES = {
    # canonical name -> name on the wire, per status_names scenario value
    "docs-aug": {"queued": "queued", "in_progress": "in_progress",
                 "completed": "completed", "failed": "failed"},
    "legacy": {"queued": "submitted", "in_progress": "in_progress",
               "completed": "completed", "failed": "failed"},
    "ark": {"queued": "queued", "in_progress": "running",
            "completed": "succeeded", "failed": "failed"},
}
RESULT_SHAPES = ("docs-aug", "top-level-url", "ark")
PROGRESS_MODES = ("linear", "none", "stall")
CLIP_MODES = ("static", "from-frame")
BODY_KINDS = ("mp4", "html")
SCRIPT_ENDPOINTS = ("upload", "create", "query", "download", "models")
SCRIPT_KEYS = {"status", "headers", "json", "body", "body_b64", "content_length", "delay_ms",
               "close", "hang", "trickle_bps", "repeat", "passthrough", "then_create"}

DOWNLOAD_DEFAULTS: dict[str, Any] = {
    "truncate_at": None, "trickle_bps": None, "content_type": None,
    "body_kind": "mp4", "no_range": False,
}


def default_scenario(clip_mode: str) -> dict[str, Any]:
    return {
        "latency_ms": 0,
        "queue_seconds": 1.0,
        "generate_seconds": 3.0,
        "progress_mode": "linear",
        "fail": None,
        "complete_without_url": False,
        "url_expired": False,
        "status_names": "docs-aug",
        "result_shape": "docs-aug",
        "clip_mode": clip_mode,
        "large_clip_mb": None,
        "download": dict(DOWNLOAD_DEFAULTS),
    }


def _number(name: str, value: Any, minimum: float = 0) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
        raise ValueError(f"{name} must be a number >= {minimum}")
    return value


def _optional_int(name: str, value: Any, minimum: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be null or an integer >= {minimum}")
    return value


def _enum(name: str, value: Any, allowed: tuple[str, ...] | dict) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}")
    return value


def _bool(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be a boolean")
    return value


def _fail(value: Any) -> dict | None:
    if value is None or value is False:
        return None
    if value is True:
        return dict(DEFAULT_FAIL)
    if isinstance(value, dict):
        return {"code": value.get("code", DEFAULT_FAIL["code"]),
                "message": value.get("message", DEFAULT_FAIL["message"])}
    raise ValueError("fail must be null, true or an object {code, message}")


def merge_scenario(current: dict, patch: Any, clip_mode_default: str) -> dict:
    """Return current updated by patch; null resets a field. Raises ValueError."""
    if not isinstance(patch, dict):
        raise ValueError("scenario must be a JSON object")
    defaults = default_scenario(clip_mode_default)
    result = copy.deepcopy(current)
    for name, value in patch.items():
        if name not in defaults:
            raise ValueError(f"unknown scenario field {name!r}")
        if value is None and name != "fail":
            result[name] = copy.deepcopy(defaults[name])
            continue
        if name == "latency_ms":
            result[name] = _number(name, value)
        elif name in ("queue_seconds", "generate_seconds"):
            result[name] = float(_number(name, value))
        elif name == "progress_mode":
            result[name] = _enum(name, value, PROGRESS_MODES)
        elif name == "fail":
            result[name] = _fail(value)
        elif name in ("complete_without_url", "url_expired"):
            result[name] = _bool(name, value)
        elif name == "status_names":
            result[name] = _enum(name, value, STATUS_NAMES)
        elif name == "result_shape":
            result[name] = _enum(name, value, RESULT_SHAPES)
        elif name == "clip_mode":
            result[name] = _enum(name, value, CLIP_MODES)
        elif name == "large_clip_mb":
            mib = _optional_int(name, value, 0)
            if mib is not None and mib > MAX_LARGE_CLIP_MB:
                raise ValueError(f"large_clip_mb must be <= {MAX_LARGE_CLIP_MB}")
            result[name] = mib or None
        elif name == "download":
            result[name] = _merge_download(result[name], value)
    return result


def _merge_download(current: dict, patch: Any) -> dict:
    if not isinstance(patch, dict):
        raise ValueError("download must be an object")
    result = dict(current)
    for name, value in patch.items():
        if name not in DOWNLOAD_DEFAULTS:
            raise ValueError(f"unknown download field {name!r}")
        if value is None:
            result[name] = DOWNLOAD_DEFAULTS[name]
        elif name == "truncate_at":
            result[name] = _optional_int("download.truncate_at", value, 0)
        elif name == "trickle_bps":
            result[name] = _optional_int("download.trickle_bps", value, 1)
        elif name == "content_type":
            if not isinstance(value, str):
                raise ValueError("download.content_type must be a string")
            result[name] = value
        elif name == "body_kind":
            result[name] = _enum("download.body_kind", value, BODY_KINDS)
        elif name == "no_range":
            result[name] = _bool("download.no_range", value)
    return result


def validate_script_entry(entry: Any) -> dict:
    """Check one scripted response; returns a normalized copy. Raises ValueError."""
    if not isinstance(entry, dict):
        raise ValueError("each response must be an object")
    unknown = set(entry) - SCRIPT_KEYS
    if unknown:
        raise ValueError(f"unknown response field(s): {', '.join(sorted(unknown))}")
    if sum(k in entry for k in ("json", "body", "body_b64")) > 1:
        raise ValueError("use only one of json, body, body_b64")
    status = entry.get("status", 200)
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise ValueError("status must be an integer 100..599")
    headers = entry.get("headers", {})
    if not isinstance(headers, dict) or not all(
            isinstance(k, str) and isinstance(v, (str, int, float)) for k, v in headers.items()):
        raise ValueError("headers must be an object of strings")
    if "body" in entry and not isinstance(entry["body"], str):
        raise ValueError("body must be a string")
    if "body_b64" in entry:
        try:
            base64.b64decode(entry["body_b64"], validate=True)
        except (ValueError, TypeError):
            raise ValueError("body_b64 must be valid base64") from None
    for key, minimum in (("content_length", 0), ("delay_ms", 0), ("trickle_bps", 1),
                         ("repeat", 1)):
        if key in entry:
            value = entry[key]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
                raise ValueError(f"{key} must be a number >= {minimum}")
    for key in ("close", "hang", "passthrough", "then_create"):
        if key in entry and not isinstance(entry[key], bool):
            raise ValueError(f"{key} must be a boolean")
    result = copy.deepcopy(entry)
    result["status"] = status
    result["repeat"] = int(entry.get("repeat", 1))
    return result


@dataclass
class Task:
    id: str
    model: str
    request: dict
    created_at: float
    queue_seconds: float
    generate_seconds: float
    progress_mode: str
    fail: dict | None
    sig: str
    clip_job: ClipJob | None = None
    final_status: str | None = None      # "completed" or "failed" once terminal
    finished_at: float | None = None     # wall-clock time it became terminal
    error: dict | None = None
    served_count: int = 0
    downloads: list[dict] = field(default_factory=list)

    def evaluate(self, now: float) -> tuple[str, int]:
        """Canonical (status, progress) at time now; latches terminal states.

        The caller must hold the state lock.
        """
        if self.final_status:
            return self.final_status, 100 if self.final_status == "completed" else 0
        elapsed = now - self.created_at
        if elapsed < self.queue_seconds:
            return "queued", 0
        if self.progress_mode == "stall":
            return "in_progress", 50
        end = self.created_at + self.queue_seconds + self.generate_seconds
        if now >= end:
            if self.fail:
                self.final_status, self.finished_at, self.error = "failed", end, dict(self.fail)
                return "failed", 0
            job = self.clip_job
            if job is not None and job.ready:
                # Completion waits for the clip: never "completed" before it exists.
                self.final_status = "completed"
                self.finished_at = max(end, job.ready_at or end)
                return "completed", 100
            return "in_progress", 99 if self.progress_mode == "linear" else 0
        if self.progress_mode == "none":
            return "in_progress", 0
        ratio = (elapsed - self.queue_seconds) / self.generate_seconds
        return "in_progress", min(99, round(100 * ratio))

    @property
    def completed_at(self) -> int | None:
        return int(self.finished_at) if self.finished_at is not None else None

    @property
    def expires_at(self) -> int | None:
        done = self.completed_at
        return done + RESULT_TTL if done is not None else None

    def describe(self, now: float) -> dict:
        status, progress = self.evaluate(now)
        job = self.clip_job.describe() if self.clip_job else None
        return {
            "id": self.id,
            "model": self.model,
            "request": self.request,
            "status": status,
            "progress": progress,
            "created_at": self.created_at,
            "queue_seconds": self.queue_seconds,
            "generate_seconds": self.generate_seconds,
            "progress_mode": self.progress_mode,
            "completed_at": self.finished_at if status == "completed" else None,
            "failed_at": self.finished_at if status == "failed" else None,
            "expires_at": self.expires_at if status == "completed" else None,
            "error": self.error,
            "sig": self.sig,
            "clip": job,
            "path": job["path"] if job else None,
            "sha256": job["sha256"] if job else None,
            "size": job["size"] if job else None,
            "served_count": self.served_count,
            "downloads": list(self.downloads),
        }


class State:
    def __init__(self, root: Path, factory: ClipFactory, default_clip_mode: str,
                 log: Callable[[str], None]) -> None:
        self.lock = threading.RLock()
        self.root = root
        self.uploads_dir = root / "uploads"
        self.uploads_dir.mkdir(parents=True, exist_ok=True)
        self.factory = factory
        self.default_clip_mode = default_clip_mode
        self.log = log
        self.scenario: dict[str, Any] = default_scenario(default_clip_mode)
        self.tasks: dict[str, Task] = {}
        self.uploads: dict[str, dict] = {}
        self.requests: list[dict] = []
        self.scripts: dict[str, deque[dict]] = {e: deque() for e in SCRIPT_ENDPOINTS}

    # --------------------------------------------------------------- scenario
    def get_scenario(self) -> dict:
        with self.lock:
            return copy.deepcopy(self.scenario)

    def update_scenario(self, patch: Any) -> dict:
        with self.lock:
            self.scenario = merge_scenario(self.scenario, patch, self.default_clip_mode)
            return copy.deepcopy(self.scenario)

    def reset(self) -> None:
        with self.lock:
            self.scenario = default_scenario(self.default_clip_mode)
            tasks, self.tasks = self.tasks, {}
            self.uploads = {}
            self.requests = []
            for queue in self.scripts.values():
                queue.clear()
        for path in self.uploads_dir.iterdir():
            path.unlink(missing_ok=True)
        for task in tasks.values():  # per-task clips only; shared ones stay
            job = task.clip_job
            if job and job.ready and job.clip and job.clip.kind == "from-frame":
                job.clip.path.unlink(missing_ok=True)

    # ---------------------------------------------------------------- uploads
    def add_upload(self, data: bytes, mime: str, ext: str, purpose: str | None) -> dict:
        upload_id = "upload_" + secrets.token_hex(8)
        name = f"{upload_id}.{ext}"
        (self.uploads_dir / name).write_bytes(data)
        record = {"id": upload_id, "name": name, "mime_type": mime, "size": len(data),
                  "purpose": purpose, "created_at": time.time()}
        with self.lock:
            self.uploads[name] = record
        return record

    def upload_file(self, name: str) -> tuple[Path, str] | None:
        with self.lock:
            record = self.uploads.get(name)
        if record is None:
            return None
        path = self.uploads_dir / name
        return (path, record["mime_type"]) if path.is_file() else None

    def resolve_local(self, url: str) -> Path | None:
        """Our own /files/uploads/<name> URL (any host) -> the file on disk."""
        path = urlsplit(url).path
        prefix = "/files/uploads/"
        if not path.startswith(prefix):
            return None
        found = self.upload_file(path[len(prefix):])
        return found[0] if found else None

    # ------------------------------------------------------------------ tasks
    def create_task(self, body: dict) -> Task:
        with self.lock:
            sc = self.scenario
            task = Task(
                id="task_vid_" + secrets.token_hex(12),
                model=body["model"],
                request=copy.deepcopy(body),
                created_at=time.time(),
                queue_seconds=sc["queue_seconds"],
                generate_seconds=sc["generate_seconds"],
                progress_mode=sc["progress_mode"],
                fail=copy.deepcopy(sc["fail"]),
                sig=secrets.token_hex(16),
            )
            clip_mode, large_mb = sc["clip_mode"], sc["large_clip_mb"]
            self.tasks[task.id] = task
        if not task.fail:  # a task that will fail needs no clip
            self._start_clip(task, clip_mode, large_mb)
        return task

    def _start_clip(self, task: Task, clip_mode: str, large_mb: int | None) -> ClipJob:
        if large_mb:
            job = self.factory.large_job(large_mb)
        elif clip_mode == "from-frame":
            duration = task.request.get("duration", 5)
            duration = duration if isinstance(duration, int) and not isinstance(duration, bool) else 5
            job = self.factory.from_frame_job(task.id, first_frame_url(task.request), duration,
                                              self.resolve_local)
        else:
            job = self.factory.static_job
        with self.lock:
            if task.clip_job is None:
                task.clip_job = job
            return task.clip_job

    def get_task(self, task_id: str) -> Task | None:
        with self.lock:
            return self.tasks.get(task_id)

    def list_tasks(self) -> list[dict]:
        now = time.time()
        with self.lock:
            return [t.describe(now) for t in self.tasks.values()]

    def describe_task(self, task_id: str) -> dict | None:
        with self.lock:
            task = self.tasks.get(task_id)
            return task.describe(time.time()) if task else None

    def complete_task(self, task_id: str) -> dict | None:
        """Force completion now (after waiting for the clip if it is still being made)."""
        task = self.get_task(task_id)
        if task is None:
            return None
        job = task.clip_job
        if job is None:
            with self.lock:
                sc = self.scenario
                clip_mode, large_mb = sc["clip_mode"], sc["large_clip_mb"]
            job = self._start_clip(task, clip_mode, large_mb)
        job.wait(CLIP_WAIT_TIMEOUT)
        with self.lock:
            task.final_status, task.finished_at, task.error = "completed", time.time(), None
            return task.describe(time.time())

    def fail_task(self, task_id: str, error: Any) -> dict | None:
        with self.lock:
            task = self.tasks.get(task_id)
            if task is None:
                return None
            task.final_status, task.finished_at = "failed", time.time()
            task.error = _fail(error if error is not None else True)
            return task.describe(time.time())

    def record_download(self, task: Task, entry: dict) -> None:
        with self.lock:
            task.served_count += 1
            task.downloads.append(entry)

    # ------------------------------------------------------------ request log
    def log_request(self, entry: dict) -> None:
        with self.lock:
            self.requests.append(entry)

    def get_requests(self) -> list[dict]:
        with self.lock:
            return copy.deepcopy(self.requests)

    def clear_requests(self) -> None:
        with self.lock:
            self.requests = []

    # ---------------------------------------------------------------- scripts
    def add_script(self, endpoint: Any, responses: Any) -> dict[str, int]:
        if not isinstance(endpoint, str) or endpoint not in self.scripts:
            raise ValueError(f"endpoint must be one of {', '.join(SCRIPT_ENDPOINTS)}")
        if not isinstance(responses, list) or not responses:
            raise ValueError("responses must be a non-empty array")
        entries = [validate_script_entry(r) for r in responses]
        with self.lock:
            self.scripts[endpoint].extend(entries)
            return self.script_counts()

    def pop_script(self, endpoint: str) -> dict | None:
        """Take one use of the head entry for endpoint (None: normal behaviour)."""
        with self.lock:
            queue = self.scripts.get(endpoint)
            if not queue:
                return None
            head = queue[0]
            head["repeat"] -= 1
            if head["repeat"] <= 0:
                queue.popleft()
            return copy.deepcopy(head)

    def script_counts(self) -> dict[str, int]:
        with self.lock:
            return {e: len(q) for e, q in self.scripts.items()}

    def get_scripts(self) -> dict[str, list[dict]]:
        with self.lock:
            return {e: copy.deepcopy(list(q)) for e, q in self.scripts.items()}

    def clear_scripts(self) -> None:
        with self.lock:
            for queue in self.scripts.values():
                queue.clear()
