"""The /_emu/ control API used by tests (no authentication, never logged
in the request log)."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .handler import Request, Response

if TYPE_CHECKING:
    from .server import EmulatorServer

_TASK_RE = re.compile(r"^/_emu/tasks/([^/]+)(?:/(complete|fail))?$")


def _bad(message: str) -> Response:
    return Response.json(400, {"error": message})


def _json_or_empty(req: Request) -> tuple[object, Response | None]:
    if not req.body.strip():
        return {}, None
    if not req.json_ok:
        return None, _bad("body must be valid JSON")
    return req.json_body, None


def handle(server: EmulatorServer, req: Request) -> Response:
    state = server.state
    method, path = req.method, req.path
    if method == "HEAD":
        method = "GET"

    if path == "/_emu/health" and method == "GET":
        return Response.text(200, "ok")

    if path == "/_emu/scenario":
        if method == "GET":
            return Response.json(200, state.get_scenario())
        if method == "POST":
            patch, error = _json_or_empty(req)
            if error:
                return error
            try:
                return Response.json(200, state.update_scenario(patch))
            except ValueError as exc:
                return _bad(str(exc))

    if path == "/_emu/reset" and method == "POST":
        state.reset()
        return Response.json(200, {"ok": True})

    if path == "/_emu/script":
        if method == "GET":
            return Response.json(200, {"scripts": state.get_scripts()})
        if method == "DELETE":
            state.clear_scripts()
            return Response.json(200, {"ok": True})
        if method == "POST":
            body, error = _json_or_empty(req)
            if error:
                return error
            if not isinstance(body, dict):
                return _bad("body must be an object {endpoint, responses}")
            try:
                queued = state.add_script(body.get("endpoint"), body.get("responses"))
            except ValueError as exc:
                return _bad(str(exc))
            return Response.json(200, {"ok": True, "queued": queued})

    if path == "/_emu/requests":
        if method == "GET":
            return Response.json(200, {"requests": state.get_requests()})
        if method == "DELETE":
            state.clear_requests()
            return Response.json(200, {"ok": True})

    if path == "/_emu/tasks" and method == "GET":
        return Response.json(200, {"tasks": state.list_tasks()})

    match = _TASK_RE.match(path)
    if match:
        task_id, action = match.groups()
        if action is None and method == "GET":
            found = state.describe_task(task_id)
        elif action == "complete" and method == "POST":
            found = state.complete_task(task_id)
        elif action == "fail" and method == "POST":
            body, error = _json_or_empty(req)
            if error:
                return error
            if isinstance(body, dict) and isinstance(body.get("error"), dict):
                body = body["error"]
            if body is not None and not isinstance(body, dict):
                return _bad("body must be an error object {code, message}")
            found = state.fail_task(task_id, body or None)
        else:
            return Response.json(405, {"error": "method not allowed"})
        if found is None:
            return Response.json(404, {"error": "no such task"})
        return Response.json(200, found)

    return Response.json(404, {"error": f"unknown admin endpoint {method} {path}"})
