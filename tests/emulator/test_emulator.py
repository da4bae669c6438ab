"""Self-tests of the ToAPIs emulator: they start the real server process on
port 0 and talk to it over loopback sockets only.

Run: python3 -m unittest discover -s tests/emulator -v
"""
from __future__ import annotations

import base64
import hashlib
import http.client
import json
import os
import selectors
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import time
import unittest
import zlib
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "toapis_emulator.py"
KEY = "sk-emulator-selftest-0123456789"
MIB = 1024 * 1024
HAVE_FFPROBE = shutil.which("ffprobe") is not None


# ---------------------------------------------------------------- utilities
class Emulator:
    """One emulator process; stop() ends it (SIGTERM, then SIGKILL)."""

    def __init__(self, *args: str) -> None:
        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([sys.executable, str(SCRIPT), "--port", "0", *args],
                                     stdout=subprocess.PIPE, stderr=self.stderr)
        try:
            self.port = self._read_port(timeout=60)
        except Exception:
            self.stop()
            raise

    def _read_port(self, timeout: float) -> int:
        assert self.proc.stdout is not None
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        try:
            if not sel.select(timeout):
                raise RuntimeError("emulator did not print LISTENING in time")
        finally:
            sel.close()
        line = self.proc.stdout.readline().decode()
        if not line.startswith("LISTENING "):
            raise RuntimeError(f"unexpected first line {line!r}: {self.stderr_text()}")
        return int(line.split()[1])

    def stop(self, timeout: float = 10) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()
        return self.proc.returncode

    def stderr_text(self) -> str:
        self.stderr.seek(0)
        return self.stderr.read().decode("utf-8", "replace")


def request(port: int, method: str, path: str, body: bytes | None = None,
            headers: dict[str, str] | None = None, timeout: float = 10,
            ) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
    finally:
        conn.close()


def make_png(width: int, height: int) -> bytes:
    """A valid RGB PNG with a gradient (standard library only)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    rows = b"".join(
        b"\x00" + b"".join(bytes((x * 255 // width, y * 255 // height, 128)) for x in range(width))
        for y in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 6)) + chunk(b"IEND", b""))


def multipart(fields: list[tuple[str, str | None, str | None, bytes]]) -> tuple[bytes, str]:
    """(name, filename, content type, data) fields -> (body, Content-Type)."""
    boundary = "----emu-selftest-" + os.urandom(8).hex()
    out = []
    for name, filename, ctype, data in fields:
        disp = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        head = f"--{boundary}\r\nContent-Disposition: {disp}\r\n"
        if ctype:
            head += f"Content-Type: {ctype}\r\n"
        out.append(head.encode() + b"\r\n" + data + b"\r\n")
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out), f"multipart/form-data; boundary={boundary}"


def ffprobe(path: Path) -> list[dict]:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries",
                          "stream=codec_type,codec_name,width,height,duration",
                          "-of", "json", str(path)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)["streams"]


class EmulatorCase(unittest.TestCase):
    """Shares one emulator (started with --key) across a class; resets it per test."""

    args: tuple[str, ...] = ("--key", KEY)
    emu: Emulator

    @classmethod
    def setUpClass(cls) -> None:
        cls.emu = Emulator(*cls.args)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.emu.stop()
        cls.emu.stderr.close()

    def setUp(self) -> None:
        self.admin("POST", "/_emu/reset")

    # --- helpers
    @property
    def port(self) -> int:
        return self.emu.port

    def raw(self, method: str, path: str, body: bytes | None = None,
            headers: dict[str, str] | None = None, timeout: float = 10):
        return request(self.port, method, path, body, headers, timeout)

    def admin(self, method: str, path: str, obj: object = None) -> object:
        body = json.dumps(obj).encode() if obj is not None else None
        status, _, data = self.raw(method, path, body, {"Content-Type": "application/json"})
        self.assertEqual(status, 200, data)
        return json.loads(data) if data[:1] in (b"{", b"[") else data.decode()

    def scenario(self, **fields: object) -> dict:
        return self.admin("POST", "/_emu/scenario", fields)  # type: ignore[return-value]

    def script(self, endpoint: str, *responses: dict) -> None:
        self.admin("POST", "/_emu/script", {"endpoint": endpoint, "responses": list(responses)})

    def api(self, method: str, path: str, obj: object = None, key: str | None = KEY,
            headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], object]:
        hdrs = dict(headers or {})
        if key is not None:
            hdrs["Authorization"] = f"Bearer {key}"
        body = None
        if obj is not None:
            body = json.dumps(obj).encode()
            hdrs["Content-Type"] = "application/json"
        status, rh, data = self.raw(method, path, body, hdrs)
        try:
            parsed: object = json.loads(data)
        except ValueError:
            parsed = data
        return status, rh, parsed

    def upload(self, data: bytes, filename: str = "frame.png", ctype: str = "image/png",
               key: str | None = KEY) -> tuple[int, dict | bytes]:
        body, content_type = multipart([("file", filename, ctype, data),
                                        ("purpose", None, None, b"generation")])
        headers = {"Content-Type": content_type}
        if key:
            headers["Authorization"] = f"Bearer {key}"
        status, _, resp = self.raw("POST", "/v1/uploads/images", body, headers)
        try:
            return status, json.loads(resp)
        except ValueError:
            return status, resp

    def create(self, **fields: object) -> dict:
        body = {"model": "doubao-seedance-1-5-pro", "prompt": "a cat on a skateboard", **fields}
        status, _, resp = self.api("POST", "/v1/videos/generations", body)
        self.assertEqual(status, 200, resp)
        return resp  # type: ignore[return-value]

    def query(self, task_id: str) -> dict:
        status, _, resp = self.api("GET", f"/v1/videos/generations/{task_id}")
        self.assertEqual(status, 200, resp)
        return resp  # type: ignore[return-value]

    def wait_for(self, task_id: str, statuses: tuple[str, ...] = ("completed", "failed"),
                 timeout: float = 30) -> dict:
        deadline = time.time() + timeout
        while time.time() < deadline:
            task = self.query(task_id)
            if task["status"] in statuses:
                return task
            time.sleep(0.05)
        self.fail(f"task {task_id} not in {statuses} after {timeout}s")

    def last_download(self, task_id: str, done: object, timeout: float = 5) -> dict:
        """The task's last download record once done(record) holds: the server
        fills in bytes_sent just after the last byte leaves, so poll briefly."""
        deadline = time.time() + timeout
        while True:
            last = self.admin("GET", f"/_emu/tasks/{task_id}")["downloads"][-1]
            if done(last) or time.time() > deadline:  # type: ignore[operator]
                return last
            time.sleep(0.02)

    def completed_task(self, **create_fields: object) -> tuple[dict, str]:
        """Create a task that completes at once; returns (query body, video path+query)."""
        self.scenario(queue_seconds=0, generate_seconds=0)
        task = self.wait_for(self.create(**create_fields)["id"])
        self.assertEqual(task["status"], "completed", task)
        url = urlsplit(task["result"]["data"][0]["url"])
        return task, f"{url.path}?{url.query}"


# -------------------------------------------------------------------- tests
class TestBasics(EmulatorCase):
    def test_health_and_models(self) -> None:
        self.assertEqual(self.admin("GET", "/_emu/health"), "ok")
        status, _, body = self.api("GET", "/v1/models")
        self.assertEqual(status, 200)
        self.assertEqual(body["object"], "list")
        ids = {m["id"] for m in body["data"]}
        self.assertEqual(ids, {"doubao-seedance-1-5-pro", "doubao-seedance-1-0-pro-fast",
                               "doubao-seedance-1-0-pro-quality", "seedance-2",
                               "seedance-2-fast"})
        self.assertTrue(all(m["object"] == "model" and m["owned_by"] == "toapis"
                            for m in body["data"]))

    def test_auth_required(self) -> None:
        expected = {"error": {"code": 401, "type": "authentication_error",
                              "message": "Authentication failed, please check your API key"}}
        for key in (None, "sk-wrong"):
            for method, path, obj in (("GET", "/v1/models", None),
                                      ("POST", "/v1/videos/generations",
                                       {"model": "doubao-seedance-1-5-pro", "prompt": "x"}),
                                      ("GET", "/v1/videos/generations/task_vid_x", None)):
                with self.subTest(key=key, path=path):
                    status, _, body = self.api(method, path, obj, key=key)
                    self.assertEqual(status, 401)
                    self.assertEqual(body, expected)
        status, body = self.upload(make_png(8, 8), key=None)
        self.assertEqual(status, 401)
        status, _, _ = self.raw("GET", "/v1/models", headers={"Authorization": f"Basic {KEY}"})
        self.assertEqual(status, 401)
        self.assertEqual(self.admin("GET", "/_emu/tasks"), {"tasks": []})

    def test_keep_alive_and_unknown_paths(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            conn.request("GET", "/v1/models", headers={"Authorization": f"Bearer {KEY}"})
            resp = conn.getresponse()
            resp.read()
            sock = conn.sock
            for path, expected in (("/v1/nope", 404), ("/elsewhere", 404), ("/v1/models", 200)):
                conn.request("GET", path, headers={"Authorization": f"Bearer {KEY}"})
                resp = conn.getresponse()
                resp.read()
                self.assertEqual(resp.status, expected)
                self.assertIs(conn.sock, sock, "connection was not kept alive")
        finally:
            conn.close()

    def test_malformed_requests_do_not_kill_the_server(self) -> None:
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            s.sendall(b"\x16\x03\x01garbage that is not HTTP\r\n\r\n")
            self.assertIn(b"400", s.recv(1024))
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            s.sendall(b"POST /v1/videos/generations HTTP/1.1\r\nHost: x\r\n"
                      b"Content-Length: nope\r\n\r\n")
            self.assertIn(b" 400 ", s.recv(1024))
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            s.sendall(b"POST /v1/videos/generations HTTP/1.1\r\nHost: x\r\n"
                      b"Content-Length: 100\r\n\r\n{\"model\"")  # then hang up mid-body
        status, _, body = self.api("POST", "/v1/videos/generations", None,
                                   headers={"Content-Type": "application/json"})
        self.assertEqual(status, 400)
        status, _, body = self.raw("POST", "/v1/videos/generations", b"{not json",
                                   {"Authorization": f"Bearer {KEY}"})
        self.assertEqual(status, 400)
        self.assertEqual(json.loads(body)["error"]["code"], "invalid_request")
        self.assertEqual(self.admin("GET", "/_emu/health"), "ok")

    def test_chunked_request_body(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            body = json.dumps({"model": "doubao-seedance-1-5-pro", "prompt": "x"}).encode()
            conn.request("POST", "/v1/videos/generations", body=iter([body[:10], body[10:]]),
                         headers={"Authorization": f"Bearer {KEY}",
                                  "Content-Type": "application/json"}, encode_chunked=True)
            resp = conn.getresponse()
            self.assertEqual(resp.status, 200, resp.read())
        finally:
            conn.close()

    def test_scenario_admin(self) -> None:
        sc = self.scenario(queue_seconds=0.5, download={"no_range": True})
        self.assertEqual(sc["queue_seconds"], 0.5)
        self.assertTrue(sc["download"]["no_range"])
        self.assertEqual(sc["download"]["body_kind"], "mp4")  # nested merge
        sc = self.scenario(generate_seconds=2)
        self.assertEqual((sc["queue_seconds"], sc["generate_seconds"]), (0.5, 2.0))
        self.assertEqual(self.scenario(queue_seconds=None)["queue_seconds"], 1.0)
        for bad in ({"bogus": 1}, {"progress_mode": "fast"}, {"queue_seconds": -1},
                    {"download": {"truncate": 5}}, {"status_names": "x"}):
            status, _, body = self.raw("POST", "/_emu/scenario", json.dumps(bad).encode())
            self.assertEqual(status, 400, bad)
        self.admin("POST", "/_emu/reset")
        self.assertEqual(self.admin("GET", "/_emu/scenario")["queue_seconds"], 1.0)


class TestUploads(EmulatorCase):
    def test_upload_ok_and_served(self) -> None:
        png = make_png(40, 30)
        status, body = self.upload(png)
        self.assertEqual(status, 200, body)
        self.assertEqual((body["success"], body["message"]), (True, ""))
        data = body["data"]
        self.assertRegex(data["id"], r"^upload_[0-9a-f]+$")
        self.assertEqual((data["mime_type"], data["size"]), ("image/png", len(png)))
        url = urlsplit(data["url"])
        self.assertEqual(url.netloc, f"127.0.0.1:{self.port}")
        self.assertEqual(url.path, f"/files/uploads/{data['id']}.png")
        status, headers, served = self.raw("GET", url.path)
        self.assertEqual((status, headers["content-type"], served), (200, "image/png", png))

    def test_other_types_and_host_header(self) -> None:
        for magic, mime in ((b"\xff\xd8\xff\xe0JFIF", "image/jpeg"), (b"GIF89a", "image/gif"),
                            (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "image/webp")):
            status, body = self.upload(magic + b"\x00" * 64, "x.bin", "application/octet-stream")
            self.assertEqual((status, body["data"]["mime_type"]), (200, mime))
        data, ctype = multipart([("file", "a.png", "image/png", make_png(4, 4))])
        status, _, body = self.raw("POST", "/v1/uploads/images", data,
                                   {"Content-Type": ctype, "Authorization": f"Bearer {KEY}",
                                    "Host": "emu.example:8443"})
        self.assertTrue(json.loads(body)["data"]["url"].startswith(
            "http://emu.example:8443/files/uploads/"))

    def test_upload_errors(self) -> None:
        status, body = self.upload(b"just some text, not an image", "a.txt", "text/plain")
        self.assertEqual((status, body), (400, {
            "success": False, "message": "Unsupported image type. Allowed: JPEG, PNG, WebP, GIF"}))
        status, body = self.upload(b"\xff\xd8\xff" + b"\x00" * (10 * MIB - 2), "big.jpg")
        self.assertEqual((status, body), (400, {
            "success": False, "message": "Image too large. Maximum size is 10MB"}))
        status, body = self.upload(b"\xff\xd8\xff" + b"\x00" * (10 * MIB - 3), "max.jpg")
        self.assertEqual(status, 200, "exactly 10 MiB is allowed")
        data, ctype = multipart([("purpose", None, None, b"generation")])
        status, _, body = self.raw("POST", "/v1/uploads/images", data,
                                   {"Content-Type": ctype, "Authorization": f"Bearer {KEY}"})
        self.assertEqual(status, 400)
        self.assertIs(json.loads(body)["success"], False)
        status, _, body = self.raw("POST", "/v1/uploads/images", b"{}",
                                   {"Content-Type": "application/json",
                                    "Authorization": f"Bearer {KEY}"})
        self.assertEqual((status, json.loads(body)["success"]), (400, False))
        status, _, _ = self.raw("GET", "/files/uploads/upload_nope.png")
        self.assertEqual(status, 404)


class TestCreateValidation(EmulatorCase):
    BAD = [
        ({"model": "sora-9"}, "model"),
        ({"prompt": None}, "prompt"),
        ({"prompt": ""}, "prompt"),
        ({"duration": 3}, "duration"),
        ({"duration": 13}, "duration"),
        ({"duration": "5"}, "duration"),
        ({"duration": 5.5}, "duration"),
        ({"duration": -1}, "duration"),
        ({"aspect_ratio": "2:1"}, "aspect_ratio"),
        ({"aspect_ratio": "adaptive"}, "aspect_ratio"),
        ({"metadata": {"resolution": "4k"}}, "metadata.resolution"),
        ({"metadata": {"audio": "yes"}}, "metadata.audio"),
        ({"metadata": {"camerafixed": 1}}, "metadata.camerafixed"),
        ({"metadata": {"seed": 2**32}}, "metadata.seed"),
        ({"metadata": {"seed": -2}}, "metadata.seed"),
        ({"metadata": []}, "metadata"),
        ({"image_urls": ["http://a/1.png"],
          "image_with_roles": [{"url": "http://a/1.png", "role": "first_frame"}]},
         "image_with_roles"),
        ({"image_urls": [{"url": "http://a/1.png"}]}, "image_urls[0]"),
        ({"image_urls": ["ftp://a/1.png"]}, "image_urls[0]"),
        ({"image_with_roles": [{"url": "file:///etc/passwd", "role": "first_frame"}]},
         "image_with_roles[0].url"),
        ({"image_with_roles": [{"url": "http://a/1.png", "role": "first_frame"},
                               {"url": "http://a/2.png", "role": "first_frame"}]},
         "image_with_roles"),
        ({"image_with_roles": [{"url": "http://a/1.png", "role": "reference_image"}]},
         "image_with_roles[0].role"),
        ({"model": "doubao-seedance-1-0-pro-fast", "duration": 1}, "duration"),
        ({"model": "doubao-seedance-1-0-pro-fast",
          "image_with_roles": [{"url": "http://a/1.png", "role": "first_frame"},
                               {"url": "http://a/2.png", "role": "last_frame"}]},
         "image_with_roles[1].role"),
        ({"model": "doubao-seedance-1-0-pro-quality", "resolution": "4k"}, "resolution"),
        ({"model": "seedance-2", "duration": 16}, "duration"),
        ({"model": "seedance-2", "resolution": "2k"}, "resolution"),
        ({"model": "seedance-2", "generate_audio": "true"}, "generate_audio"),
        ({"model": "seedance-2-fast", "resolution": "1080p"}, "resolution"),
    ]
    GOOD = [
        {},
        {"duration": 4, "aspect_ratio": "9:16",
         "metadata": {"resolution": "1080p", "audio": True, "camerafixed": False, "seed": -1}},
        {"duration": 12, "aspect_ratio": "21:9", "metadata": {"seed": 2**32 - 1}},
        {"image_with_roles": [{"url": "https://a/1.png", "role": "first_frame"},
                              {"url": "https://a/2.png", "role": "last_frame"}]},
        {"image_urls": ["http://a/1.png", "http://a/2.png", "http://a/3.png"]},
        {"model": "doubao-seedance-1-0-pro-fast", "duration": 2, "resolution": "1080p"},
        {"model": "doubao-seedance-1-0-pro-quality",
         "image_with_roles": [{"url": "http://a/1.png", "role": "first_frame"},
                              {"url": "http://a/2.png", "role": "last_frame"}]},
        {"model": "seedance-2", "duration": -1, "resolution": "4k", "aspect_ratio": "adaptive",
         "generate_audio": False},
        {"model": "seedance-2-fast", "duration": 15, "resolution": "720p"},
        {"unknown_field": 1},
    ]

    def test_invalid_requests(self) -> None:
        for fields, param in self.BAD:
            with self.subTest(fields=fields):
                body = {"model": "doubao-seedance-1-5-pro", "prompt": "p", **fields}
                body = {k: v for k, v in body.items() if v is not None}
                status, _, resp = self.api("POST", "/v1/videos/generations", body)
                self.assertEqual(status, 400, resp)
                err = resp["error"]
                self.assertEqual((err["code"], err["type"], err["param"]),
                                 ("invalid_request", "invalid_request_error", param), err)
                self.assertTrue(err["message"])
        self.assertEqual(self.admin("GET", "/_emu/tasks"), {"tasks": []})

    def test_valid_requests(self) -> None:
        for fields in self.GOOD:
            with self.subTest(fields=fields):
                resp = self.create(**fields)
                self.assertRegex(resp["id"], r"^task_vid_[0-9a-f]+$")
                self.assertEqual(resp["object"], "generation.task")
                self.assertEqual(resp["model"], fields.get("model", "doubao-seedance-1-5-pro"))
                self.assertEqual((resp["status"], resp["progress"], resp["metadata"]),
                                 ("queued", 0, {}))
                self.assertAlmostEqual(resp["created_at"], time.time(), delta=5)


class TestLifecycle(EmulatorCase):
    def test_timed_lifecycle_and_download(self) -> None:
        self.scenario(queue_seconds=0.2, generate_seconds=0.5)
        task_id = self.create()["id"]
        created = self.admin("GET", f"/_emu/tasks/{task_id}")["created_at"]
        seen: list[tuple[float, str, int]] = []
        while True:
            body = self.query(task_id)
            seen.append((time.time() - created, body["status"], body["progress"]))
            if body["status"] == "completed":
                break
            self.assertLess(seen[-1][0], 10)
            time.sleep(0.03)
        statuses = [s for _, s, _ in seen]
        self.assertEqual(statuses[0], "queued")
        self.assertIn("in_progress", statuses)
        self.assertEqual(statuses[-1], "completed")
        order = {"queued": 0, "in_progress": 1, "completed": 2}
        self.assertEqual(statuses, sorted(statuses, key=order.__getitem__))
        for elapsed, status, progress in seen:
            if status == "queued":
                self.assertLess(elapsed, 0.2 + 0.05)
                self.assertEqual(progress, 0)
            elif status == "in_progress":
                self.assertGreaterEqual(elapsed, 0.2)
                self.assertLess(elapsed, 0.7 + 0.05)
                self.assertLessEqual(progress, 99)
                self.assertAlmostEqual(progress, 100 * (elapsed - 0.2) / 0.5, delta=15)
            else:
                self.assertGreaterEqual(elapsed, 0.7)
        progresses = [p for _, s, p in seen if s == "in_progress"]
        self.assertEqual(progresses, sorted(progresses))

        self.assertEqual(body["progress"], 100)
        self.assertEqual(body["expires_at"] - body["completed_at"], 86400)
        self.assertEqual(body["result"]["type"], "video")
        item = body["result"]["data"][0]
        self.assertEqual(item["format"], "mp4")
        url = urlsplit(item["url"])
        self.assertEqual((url.scheme, url.netloc, url.path),
                         ("http", f"127.0.0.1:{self.port}", f"/files/videos/{task_id}.mp4"))
        self.assertRegex(url.query, rf"^sig=[0-9a-f]+&expires={body['expires_at']}$")

        status, headers, data = self.raw("GET", f"{url.path}?{url.query}")
        self.assertEqual(status, 200)
        self.assertEqual(headers["content-type"], "video/mp4")
        self.assertEqual(headers["accept-ranges"], "bytes")
        self.assertEqual(int(headers["content-length"]), len(data))
        info = self.admin("GET", f"/_emu/tasks/{task_id}")
        self.assertEqual(info["status"], "completed")
        self.assertEqual(info["sha256"], hashlib.sha256(data).hexdigest())
        self.assertEqual((info["size"], info["served_count"]), (len(data), 1))
        last = self.last_download(task_id, lambda d: d["complete"])
        self.assertEqual(last["bytes_sent"], len(data))
        self.assertEqual(data[4:8], b"ftyp")

    @unittest.skipUnless(HAVE_FFPROBE, "ffprobe not installed")
    def test_static_clip_is_a_real_mp4(self) -> None:
        _, path = self.completed_task()
        status, _, data = self.raw("GET", path)
        with tempfile.NamedTemporaryFile(suffix=".mp4") as f:
            f.write(data)
            f.flush()
            streams = {s["codec_type"]: s for s in ffprobe(Path(f.name))}
        self.assertEqual((streams["video"]["width"], streams["video"]["height"]), (320, 180))
        self.assertIn(streams["video"]["codec_name"], ("h264", "mpeg4"))
        self.assertEqual(streams["audio"]["codec_name"], "aac")
        self.assertAlmostEqual(float(streams["video"]["duration"]), 2.0, delta=0.1)

    def test_failed_task(self) -> None:
        error = {"code": "generation_failed", "message": "Content violates the content policy"}
        self.scenario(queue_seconds=0, generate_seconds=0.2, fail=error)
        task_id = self.create()["id"]
        body = self.wait_for(task_id)
        self.assertEqual((body["status"], body["progress"], body["error"]), ("failed", 0, error))
        self.assertNotIn("result", body)
        # admin fail with an explicit error, and with none (default error)
        self.scenario(fail=None, queue_seconds=30)
        task_id = self.create()["id"]
        self.admin("POST", f"/_emu/tasks/{task_id}/fail", {"code": "x", "message": "boom"})
        self.assertEqual(self.query(task_id)["error"], {"code": "x", "message": "boom"})
        task_id = self.create()["id"]
        self.admin("POST", f"/_emu/tasks/{task_id}/fail")
        self.assertEqual(self.query(task_id)["error"]["code"], "generation_failed")

    def test_unknown_task(self) -> None:
        status, _, body = self.api("GET", "/v1/videos/generations/task_vid_nope")
        self.assertEqual((status, body), (404, {"error": {
            "code": 404, "message": "Task not found", "type": "not_found_error"}}))
        status, _, _ = self.raw("POST", "/_emu/tasks/task_vid_nope/complete")
        self.assertEqual(status, 404)

    def test_progress_modes_and_admin_complete(self) -> None:
        self.scenario(queue_seconds=0, generate_seconds=0.4, progress_mode="none")
        task_id = self.create()["id"]
        time.sleep(0.2)
        self.assertEqual(self.query(task_id)["progress"], 0)
        self.assertEqual(self.wait_for(task_id)["status"], "completed")

        self.scenario(progress_mode="stall", generate_seconds=0.1)
        task_id = self.create()["id"]
        time.sleep(0.3)
        body = self.query(task_id)
        self.assertEqual((body["status"], body["progress"]), ("in_progress", 50))
        before = time.time()
        info = self.admin("POST", f"/_emu/tasks/{task_id}/complete")
        self.assertEqual(info["status"], "completed")
        self.assertGreaterEqual(info["completed_at"], before)
        body = self.query(task_id)
        self.assertEqual((body["status"], body["completed_at"]),
                         ("completed", int(info["completed_at"])))

    def test_status_names_and_result_shapes(self) -> None:
        self.scenario(queue_seconds=30, status_names="legacy")
        created = self.create()
        self.assertEqual(created["status"], "submitted")
        self.assertEqual(self.query(created["id"])["status"], "submitted")

        self.scenario(queue_seconds=0, progress_mode="stall", status_names="ark",
                      result_shape="ark")
        task_id = self.create()["id"]
        self.assertEqual(self.query(task_id)["status"], "running")
        self.admin("POST", f"/_emu/tasks/{task_id}/complete")
        body = self.query(task_id)
        self.assertEqual(body["status"], "succeeded")
        self.assertIn(f"/files/videos/{task_id}.mp4?sig=", body["content"]["video_url"])
        self.assertNotIn("result", body)

        self.scenario(status_names="docs-aug", result_shape="top-level-url")
        body = self.query(task_id)
        self.assertEqual(body["status"], "completed")
        self.assertIn(f"/files/videos/{task_id}.mp4?sig=", body["url"])
        self.assertNotIn("result", body)
        self.assertIn("expires_at", body)

        self.scenario(result_shape="docs-aug", complete_without_url=True)
        body = self.query(task_id)
        self.assertEqual((body["status"], body["result"]["data"]), ("completed", []))
        self.scenario(result_shape="top-level-url")
        self.assertNotIn("url", self.query(task_id))

        self.scenario(status_names="ark", result_shape="docs-aug", complete_without_url=False,
                      progress_mode="linear", fail={"code": "f", "message": "m"},
                      generate_seconds=0)
        task_id = self.create()["id"]
        self.assertEqual(self.wait_for(task_id, ("failed",))["status"], "failed")

    def test_latency(self) -> None:
        self.scenario(latency_ms=300)
        start = time.monotonic()
        status, _, _ = self.api("GET", "/v1/models")
        self.assertEqual(status, 200)
        self.assertGreaterEqual(time.monotonic() - start, 0.3)


class TestDownloads(EmulatorCase):
    def setUp(self) -> None:
        super().setUp()
        self.task, self.path = self.completed_task()
        self.task_id = self.task["id"]
        status, _, self.full = self.raw("GET", self.path)
        self.assertEqual(status, 200)

    def test_ranges(self) -> None:
        size = len(self.full)
        cases = [("bytes=100-", 206, self.full[100:], f"bytes 100-{size - 1}/{size}"),
                 ("bytes=0-99", 206, self.full[:100], f"bytes 0-99/{size}"),
                 ("bytes=-10", 206, self.full[-10:], f"bytes {size - 10}-{size - 1}/{size}"),
                 ("bytes=5-3", 200, self.full, None),
                 (f"bytes={size}-", 416, None, f"bytes */{size}")]
        for header, status, body, content_range in cases:
            with self.subTest(range=header):
                got_status, headers, data = self.raw("GET", self.path, headers={"Range": header})
                self.assertEqual(got_status, status)
                if body is not None:
                    self.assertEqual(data, body)
                    self.assertEqual(int(headers["content-length"]), len(body))
                self.assertEqual(headers.get("content-range"), content_range)
        status, headers, data = self.raw("HEAD", self.path)
        self.assertEqual((status, data, int(headers["content-length"])), (200, b"", size))

        self.scenario(download={"no_range": True, "content_type": "application/octet-stream"})
        status, headers, data = self.raw("GET", self.path, headers={"Range": "bytes=100-"})
        self.assertEqual((status, data), (200, self.full))
        self.assertEqual(headers["content-type"], "application/octet-stream")
        self.assertNotIn("accept-ranges", headers)

    def test_truncate_at(self) -> None:
        self.scenario(download={"truncate_at": 1000})
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            conn.request("GET", self.path)
            resp = conn.getresponse()
            self.assertEqual(int(resp.getheader("Content-Length")), len(self.full))
            with self.assertRaises(http.client.IncompleteRead) as ctx:
                resp.read()
            self.assertEqual(ctx.exception.partial, self.full[:1000])
        finally:
            conn.close()
        last = self.last_download(self.task_id, lambda d: d["bytes_sent"] > 0)
        self.assertEqual((last["bytes_sent"], last["complete"]), (1000, False))

    def test_trickle(self) -> None:
        self.scenario(download={"truncate_at": 12000, "trickle_bps": 20000})
        start = time.monotonic()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            conn.request("GET", self.path)
            with self.assertRaises(http.client.IncompleteRead):
                conn.getresponse().read()
        finally:
            conn.close()
        self.assertGreaterEqual(time.monotonic() - start, 0.5)

    def test_bad_signature_and_expired(self) -> None:
        base = self.path.split("?")[0]
        expires = self.task["expires_at"]
        for path in (base, f"{base}?sig=00&expires={expires}",
                     self.path.replace(f"expires={expires}", f"expires={expires + 1}")):
            with self.subTest(path=path):
                status, headers, body = self.raw("GET", path)
                self.assertEqual(status, 403)
                self.assertIn(b"<Code>AccessDenied</Code>", body)
                self.assertEqual(headers["content-type"], "application/xml")
        self.scenario(url_expired=True)
        status, _, body = self.raw("GET", self.path)
        self.assertEqual(status, 403)
        self.assertIn(b"<Code>AccessDenied</Code><Message>Request has expired", body)
        status, _, _ = self.raw("GET", "/files/videos/task_vid_unknown.mp4?sig=1&expires=2")
        self.assertEqual(status, 404)

    def test_html_body(self) -> None:
        self.scenario(download={"body_kind": "html"})
        status, headers, body = self.raw("GET", self.path)
        self.assertEqual(status, 200)
        self.assertTrue(headers["content-type"].startswith("text/html"))
        self.assertTrue(body.startswith(b"<!DOCTYPE html>"))

    def test_large_clip(self) -> None:
        self.scenario(large_clip_mb=3, queue_seconds=0, generate_seconds=0)
        task = self.wait_for(self.create()["id"])
        url = urlsplit(task["result"]["data"][0]["url"])
        status, headers, data = self.raw("GET", f"{url.path}?{url.query}", timeout=30)
        self.assertEqual((status, len(data)), (200, 3 * MIB))
        self.assertEqual(data[4:8], b"ftyp")
        self.assertEqual(data[:len(self.full)], self.full)  # static clip + free box
        self.assertEqual(data[len(self.full) + 4:len(self.full) + 8], b"free")
        info = self.admin("GET", f"/_emu/tasks/{task['id']}")
        self.assertEqual((info["size"], info["sha256"]),
                         (3 * MIB, hashlib.sha256(data).hexdigest()))
        if HAVE_FFPROBE:
            with tempfile.NamedTemporaryFile(suffix=".mp4") as f:
                f.write(data)
                f.flush()
                self.assertEqual(len(ffprobe(Path(f.name))), 2)


class TestScripts(EmulatorCase):
    def test_429_with_retry_after_then_normal(self) -> None:
        self.script("create", {"status": 429, "headers": {"Retry-After": "2"}, "json": {
            "error": {"code": "rate_limit_exceeded", "message": "Async task request rate exceeded"}}})
        status, headers, body = self.api("POST", "/v1/videos/generations",
                                         {"model": "doubao-seedance-1-5-pro", "prompt": "x"})
        self.assertEqual((status, headers["retry-after"]), (429, "2"))
        self.assertEqual(body["error"]["code"], "rate_limit_exceeded")
        self.assertEqual(self.admin("GET", "/_emu/tasks"), {"tasks": []})
        self.create()
        self.assertEqual(len(self.admin("GET", "/_emu/tasks")["tasks"]), 1)

    def test_then_create(self) -> None:
        page = "<html><body><h1>502 Bad Gateway</h1></body></html>"
        self.script("create", {"status": 502, "headers": {"Content-Type": "text/html"},
                               "body": page, "then_create": True})
        status, headers, body = self.api("POST", "/v1/videos/generations",
                                         {"model": "doubao-seedance-1-5-pro", "prompt": "x"})
        self.assertEqual((status, headers["content-type"], body), (502, "text/html",
                                                                    page.encode()))
        tasks = self.admin("GET", "/_emu/tasks")["tasks"]
        self.assertEqual(len(tasks), 1)
        self.assertEqual(tasks[0]["request"]["prompt"], "x")

    def test_repeat_and_passthrough(self) -> None:
        task_id = self.create()["id"]
        self.script("query", {"passthrough": True},
                    {"status": 500, "json": {"error": {"code": "internal_error"}}, "repeat": 2})
        statuses = [self.api("GET", f"/v1/videos/generations/{task_id}")[0] for _ in range(4)]
        self.assertEqual(statuses, [200, 500, 500, 200])
        log = self.admin("GET", "/_emu/requests")["requests"]
        self.assertEqual([r["scripted"] for r in log[-4:]], [False, True, True, False])

    def test_hang(self) -> None:
        self.script("query", {"hang": True})
        start = time.monotonic()
        with self.assertRaises((socket.timeout, TimeoutError)):
            self.raw("GET", "/v1/videos/generations/task_vid_x",
                     headers={"Authorization": f"Bearer {KEY}"}, timeout=0.5)
        self.assertLess(time.monotonic() - start, 3)
        self.assertEqual(self.admin("GET", "/_emu/health"), "ok")

    def test_close(self) -> None:
        self.script("models", {"close": True, "delay_ms": 100})
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            self.api("GET", "/v1/models")
        self.assertEqual(self.api("GET", "/v1/models")[0], 200)

    def test_bodies_and_lying_length(self) -> None:
        raw = b"\xff\xfe{\"error\": \x80"
        self.script("query", {"status": 200, "body_b64": base64.b64encode(raw).decode()},
                    {"status": 200, "body": '{"id": "task_vid_', "content_length": 500},
                    {"status": 502, "body": "upstream", "trickle_bps": 40})
        status, _, body = self.api("GET", "/v1/videos/generations/x")
        self.assertEqual((status, body), (200, raw))
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            conn.request("GET", "/v1/videos/generations/x")
            resp = conn.getresponse()
            self.assertEqual(resp.getheader("Content-Length"), "500")
            with self.assertRaises(http.client.IncompleteRead) as ctx:
                resp.read()
            self.assertEqual(ctx.exception.partial, b'{"id": "task_vid_')
        finally:
            conn.close()
        start = time.monotonic()
        status, _, body = self.api("GET", "/v1/videos/generations/x")
        self.assertEqual((status, body), (502, b"upstream"))
        self.assertGreaterEqual(time.monotonic() - start, 0.15)

    def test_download_and_upload_scripts(self) -> None:
        _, path = self.completed_task()
        self.script("download", {"status": 503, "body": "busy"})
        self.assertEqual(self.raw("GET", path)[0], 503)
        self.assertEqual(self.raw("GET", path)[0], 200)
        self.script("upload", {"status": 413, "body": "<html>413</html>"})
        self.assertEqual(self.upload(make_png(4, 4))[0], 413)
        self.assertEqual(self.upload(make_png(4, 4))[0], 200)

    def test_placeholders(self) -> None:
        # then_create: the created task's id; a query: the id in the path.
        self.scenario(queue_seconds=0, generate_seconds=0)
        self.script("create", {"json": {"id": "{{task_id}}", "status": 7}, "then_create": True})
        status, _, resp = self.api("POST", "/v1/videos/generations",
                                   {"model": "doubao-seedance-1-5-pro", "prompt": "p"})
        self.assertEqual(status, 200)
        task_id = resp["id"]
        self.assertTrue(task_id.startswith("task_vid_"), resp)
        self.assertEqual(resp["status"], 7)
        self.wait_for(task_id)
        self.script("query", {"json": {"id": "{{task_id}}", "status": "completed",
                                       "result": {"data": [{"url": "{{video_url}}"}]}},
                              "headers": {"X-Base": "{{base_url}}"}})
        status, headers, resp = self.api("GET", f"/v1/videos/generations/{task_id}")
        self.assertEqual(resp["id"], task_id)
        url = urlsplit(resp["result"]["data"][0]["url"])
        self.assertEqual(url.path, f"/files/videos/{task_id}.mp4")
        self.assertEqual(headers["x-base"], f"http://127.0.0.1:{self.port}")
        self.assertEqual(self.raw("GET", f"{url.path}?{url.query}")[0], 200)

    def test_passthrough_modifiers(self) -> None:
        _, path = self.completed_task()
        self.script("download", {"passthrough": True, "content_length": 100})
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            conn.request("GET", path)
            resp = conn.getresponse()
            self.assertEqual(resp.status, 200)
            self.assertEqual(resp.getheader("Content-Length"), "100")
            self.assertEqual(len(resp.read()), 100)  # the real clip's first 100 bytes
        finally:
            conn.close()
        log = self.admin("GET", "/_emu/requests")["requests"]
        self.assertTrue(log[-1]["scripted"])
        status, headers, body = self.raw("GET", path)
        self.assertEqual(status, 200)
        self.assertGreater(len(body), 100)

    def test_bad_script(self) -> None:
        for bad in ({"endpoint": "nope", "responses": [{}]},
                    {"endpoint": "create", "responses": []},
                    {"endpoint": "create", "responses": [{"status": 99}]},
                    {"endpoint": "create", "responses": [{"json": {}, "body": ""}]},
                    {"endpoint": "create", "responses": [{"retry": 1}]}):
            status, _, _ = self.raw("POST", "/_emu/script", json.dumps(bad).encode())
            self.assertEqual(status, 400, bad)


class TestRequestLog(EmulatorCase):
    def test_request_log(self) -> None:
        png = make_png(16, 9)
        status, up = self.upload(png, "first.png")
        self.assertEqual(status, 200)
        self.create(duration=6)
        self.api("GET", "/v1/videos/generations/task_vid_nope?x=1")
        self.admin("GET", "/_emu/tasks")  # admin calls are not logged
        log = self.admin("GET", "/_emu/requests")["requests"]
        self.assertEqual([(r["method"], r["path"]) for r in log], [
            ("POST", "/v1/uploads/images"), ("POST", "/v1/videos/generations"),
            ("GET", "/v1/videos/generations/task_vid_nope")])
        upload, create, query = log
        self.assertEqual(upload["headers"]["authorization"], f"Bearer {KEY}")
        self.assertTrue(upload["headers"]["content-type"].startswith("multipart/form-data"))
        self.assertEqual(upload["multipart"][0], {
            "name": "file", "filename": "first.png", "content_type": "image/png",
            "size": len(png), "sha256": hashlib.sha256(png).hexdigest()})
        self.assertEqual(upload["multipart"][1]["name"], "purpose")
        self.assertIsNone(upload["json"])
        self.assertEqual(create["json"]["duration"], 6)
        self.assertEqual(create["body_size"], int(create["headers"]["content-length"]))
        self.assertEqual(create["multipart"], [])
        self.assertEqual(query["query"], "x=1")
        self.assertLessEqual(upload["time"], create["time"])
        self.admin("DELETE", "/_emu/requests")
        self.assertEqual(self.admin("GET", "/_emu/requests"), {"requests": []})

    def test_reset_clears_everything(self) -> None:
        _, up = self.upload(make_png(4, 4))
        self.create()
        self.script("create", {"status": 500})
        self.scenario(queue_seconds=9)
        self.admin("POST", "/_emu/reset")
        self.assertEqual(self.admin("GET", "/_emu/tasks"), {"tasks": []})
        self.assertEqual(self.admin("GET", "/_emu/requests"), {"requests": []})
        self.assertEqual(self.admin("GET", "/_emu/scenario")["queue_seconds"], 1.0)
        self.assertEqual(self.raw("GET", urlsplit(up["data"]["url"]).path)[0], 404)
        self.create()  # the scripted 500 is gone


@unittest.skipUnless(HAVE_FFPROBE, "ffmpeg/ffprobe not installed")
class TestFromFrame(EmulatorCase):
    args = ("--key", KEY, "--clip-mode", "from-frame")

    def test_clip_from_uploaded_png(self) -> None:
        status, up = self.upload(make_png(800, 450))
        self.assertEqual(status, 200)
        self.scenario(queue_seconds=0, generate_seconds=0)
        task_id = self.create(image_with_roles=[{"url": up["data"]["url"],
                                                 "role": "first_frame"}])["id"]
        body = self.wait_for(task_id)
        self.assertEqual(body["status"], "completed")
        info = self.admin("GET", f"/_emu/tasks/{task_id}")
        # completion waited for the clip
        self.assertGreaterEqual(info["completed_at"], info["clip"]["ready_at"])
        self.assertEqual(info["clip"]["kind"], "from-frame")
        self.assertIsNone(info["clip"]["error"])
        url = urlsplit(body["result"]["data"][0]["url"])
        status, _, data = self.raw("GET", f"{url.path}?{url.query}")
        self.assertEqual(hashlib.sha256(data).hexdigest(), info["sha256"])
        with tempfile.NamedTemporaryFile(suffix=".mp4") as f:
            f.write(data)
            f.flush()
            streams = {s["codec_type"]: s for s in ffprobe(Path(f.name))}
        self.assertEqual((streams["video"]["width"], streams["video"]["height"]), (640, 360))
        self.assertAlmostEqual(float(streams["video"]["duration"]), 4.0, delta=0.1)
        self.assertAlmostEqual(float(streams["audio"]["duration"]), 4.0, delta=0.1)

    def test_no_first_frame_falls_back_to_static(self) -> None:
        self.scenario(queue_seconds=0, generate_seconds=0)
        info_a = self.admin("GET", f"/_emu/tasks/{self.wait_for(self.create()['id'])['id']}")
        self.scenario(clip_mode="static")
        info_b = self.admin("GET", f"/_emu/tasks/{self.wait_for(self.create()['id'])['id']}")
        self.assertEqual(info_a["sha256"], info_b["sha256"])
        self.assertEqual(info_a["size"], info_b["size"])


class TestProcess(unittest.TestCase):
    """Process-level behaviour: any-key mode, logging, signals, TLS."""

    def test_any_bearer_key_logging_and_sigterm(self) -> None:
        emu = Emulator()
        try:
            port = emu.port
            auth = {"Authorization": "Bearer anything-goes"}
            self.assertEqual(request(port, "GET", "/v1/models", headers=auth)[0], 200)
            self.assertEqual(request(port, "GET", "/v1/models",
                                     headers={"Authorization": "Bearer "})[0], 401)
            request(port, "POST", "/_emu/scenario", b'{"queue_seconds":0,"generate_seconds":0}')
            status, _, body = request(port, "POST", "/v1/videos/generations", json.dumps(
                {"model": "doubao-seedance-1-5-pro", "prompt": "x"}).encode(), auth)
            task_id = json.loads(body)["id"]
            task = json.loads(request(port, "GET", f"/v1/videos/generations/{task_id}",
                                      headers=auth)[2])
            url = urlsplit(task["result"]["data"][0]["url"])
            self.assertEqual(request(port, "GET", f"{url.path}?{url.query}")[0], 200)
            clip_path = Path(json.loads(request(port, "GET", f"/_emu/tasks/{task_id}")[2])["path"])
            self.assertTrue(clip_path.is_file())

            # an open hung request must not delay shutdown
            request(port, "POST", "/_emu/script", b'{"endpoint":"models","responses":[{"hang":true}]}')
            hung = socket.create_connection(("127.0.0.1", port))
            hung.sendall(b"GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n")
            time.sleep(0.2)
            start = time.monotonic()
            self.assertEqual(emu.stop(timeout=10), 0)
            self.assertLess(time.monotonic() - start, 5)
            hung.close()
            self.assertFalse(clip_path.parent.parent.exists(), "temporary state dir left behind")
            log = emu.stderr_text()
            self.assertIn(f"GET /files/videos/{task_id}.mp4 200", log)
            self.assertIn("POST /v1/videos/generations 200", log)
            self.assertNotIn("sig=", log)
            self.assertNotIn(url.query, log)
            self.assertNotIn("anything-goes", log)
        finally:
            emu.stop()
            emu.stderr.close()

    def test_state_dir_and_quiet(self) -> None:
        with tempfile.TemporaryDirectory() as state_dir:
            emu = Emulator("--state-dir", state_dir, "--quiet", "--key", KEY)
            try:
                body, ctype = multipart([("file", "a.png", "image/png", make_png(4, 4))])
                status, _, resp = request(emu.port, "POST", "/v1/uploads/images", body,
                                          {"Content-Type": ctype,
                                           "Authorization": f"Bearer {KEY}"})
                self.assertEqual(status, 200)
                name = urlsplit(json.loads(resp)["data"]["url"]).path.rsplit("/", 1)[1]
            finally:
                self.assertEqual(emu.stop(), 0)
                emu.stderr.close()
            self.assertTrue((Path(state_dir) / "uploads" / name).is_file())
            self.assertTrue((Path(state_dir) / "clips" / "static.mp4").is_file())

    def test_sigint(self) -> None:
        emu = Emulator()
        try:
            emu.proc.send_signal(signal.SIGINT)
            self.assertEqual(emu.proc.wait(10), 0)
        finally:
            emu.stop()
            emu.stderr.close()

    @unittest.skipUnless(shutil.which("openssl"), "openssl not installed")
    def test_tls_self_signed(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            cert, key = Path(tmp) / "cert.pem", Path(tmp) / "key.pem"
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                            "-keyout", str(key), "-out", str(cert), "-days", "1",
                            "-subj", "/CN=127.0.0.1"], check=True, capture_output=True)
            emu = Emulator("--tls-cert", str(cert), "--tls-key", str(key), "--key", KEY)
            try:
                # A verifying client must refuse the self-signed certificate...
                strict = http.client.HTTPSConnection("127.0.0.1", emu.port, timeout=5,
                                                     context=ssl.create_default_context())
                with self.assertRaises(ssl.SSLCertVerificationError):
                    strict.request("GET", "/_emu/health")
                strict.close()
                # ...and the server must survive that and serve a trusting client.
                trusting = ssl.create_default_context(cafile=str(cert))
                trusting.check_hostname = False
                conn = http.client.HTTPSConnection("127.0.0.1", emu.port, timeout=5,
                                                   context=trusting)
                body, ctype = multipart([("file", "a.png", "image/png", make_png(4, 4))])
                conn.request("POST", "/v1/uploads/images", body,
                             {"Content-Type": ctype, "Authorization": f"Bearer {KEY}"})
                resp = conn.getresponse()
                data = json.loads(resp.read())
                self.assertEqual(resp.status, 200)
                self.assertTrue(data["data"]["url"].startswith(f"https://127.0.0.1:{emu.port}/"))
                conn.close()
            finally:
                self.assertEqual(emu.stop(), 0)
                emu.stderr.close()


if __name__ == "__main__":
    unittest.main()
