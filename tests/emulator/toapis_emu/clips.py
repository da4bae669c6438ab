"""Real MP4 clips made with ffmpeg.

Three kinds of clip:
  * static      one 2 s 320x180 test pattern with a 440 Hz tone, made once
                (cached across runs in the user's cache dir, so startup is fast);
  * from-frame  a slow zoom into the task's first-frame image (demo mode);
  * large       the static clip followed by a ``free`` box padding it to N MiB
                (download benchmarks); made once per size.

Clips other than the static one are made in background threads. A ClipJob
is the handle the task keeps; completion of a task waits for its job.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import struct
import subprocess
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

FPS = 25
STATIC_SECONDS = 2
STATIC_SIZE = (320, 180)
FROM_FRAME_WIDTH = 640
MAX_FROM_FRAME_SECONDS = 4
FFMPEG_TIMEOUT = 120
MIB = 1024 * 1024
MAX_REMOTE_IMAGE = 30 * MIB

# Used when ffmpeg is missing: a bare ``ftyp`` box, so clients still get bytes
# that look like an MP4 header (they cannot be played).
FALLBACK_MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"


@dataclass(frozen=True)
class Clip:
    path: Path
    sha256: str
    size: int
    kind: str  # "static", "from-frame", "large"


class ClipJob:
    """A clip that may still be being made. Thread-safe."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._done = threading.Event()
        self.clip: Clip | None = None
        self.ready_at: float | None = None
        self.error: str | None = None

    def finish(self, clip: Clip, error: str | None = None) -> None:
        self.clip, self.error = clip, error
        self.ready_at = time.time()
        self._done.set()

    @property
    def ready(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)

    def describe(self) -> dict:
        clip = self.clip
        return {
            "kind": self.kind,
            "ready": self.ready,
            "ready_at": self.ready_at,
            "error": self.error,
            "path": str(clip.path) if clip else None,
            "sha256": clip.sha256 if clip else None,
            "size": clip.size if clip else None,
        }


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(MIB):
            digest.update(chunk)
    return digest.hexdigest()


def _clip_of(path: Path, kind: str) -> Clip:
    return Clip(path=path, sha256=sha256_file(path), size=path.stat().st_size, kind=kind)


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "toapis-emulator"


class ClipFactory:
    def __init__(self, clips_dir: Path, log: Callable[[str], None],
                 cache_dir: Path | None = None,
                 max_from_frame_seconds: int = MAX_FROM_FRAME_SECONDS) -> None:
        self.dir = clips_dir
        self.max_from_frame_seconds = max_from_frame_seconds
        self.dir.mkdir(parents=True, exist_ok=True)
        self.log = log
        self.cache_dir = cache_dir if cache_dir is not None else default_cache_dir()
        self.ffmpeg = shutil.which("ffmpeg")
        self.ffprobe = shutil.which("ffprobe")
        self._lock = threading.Lock()
        self._procs: set[subprocess.Popen] = set()
        self._closed = False
        self._large: dict[int, ClipJob] = {}
        self.video_codec_args = self._video_codec_args()
        self.static_job = ClipJob("static")

    # ----------------------------------------------------------------- ffmpeg
    def _video_codec_args(self) -> list[str]:
        if not self.ffmpeg:
            return []
        try:
            out = subprocess.run([self.ffmpeg, "-hide_banner", "-encoders"], capture_output=True,
                                 text=True, timeout=30).stdout
        except (OSError, subprocess.SubprocessError):
            out = ""
        if " libx264 " in out:
            return ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p"]
        return ["-c:v", "mpeg4", "-q:v", "5", "-pix_fmt", "yuv420p"]

    def _run(self, args: list[str], timeout: float = FFMPEG_TIMEOUT) -> str:
        """Run an ffmpeg/ffprobe command; returns stdout, raises RuntimeError."""
        with self._lock:
            if self._closed:
                raise RuntimeError("emulator is shutting down")
            proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE)
            self._procs.add(proc)
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise RuntimeError(f"{Path(args[0]).name} timed out")
        finally:
            with self._lock:
                self._procs.discard(proc)
        if proc.returncode != 0:
            last = err.decode("utf-8", "replace").strip().splitlines()[-1:] or ["?"]
            raise RuntimeError(f"{Path(args[0]).name} failed ({proc.returncode}): {last[0][:200]}")
        return out.decode("utf-8", "replace")

    def _encode(self, inputs: list[str], output_args: list[str], dest: Path) -> None:
        """Encode to a temporary file next to dest, then rename (atomic for readers)."""
        tmp = dest.with_name(f".{dest.stem}.{os.getpid()}.{threading.get_ident()}.tmp.mp4")
        try:
            self._run([self.ffmpeg or "ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
                       *inputs, *output_args, *self.video_codec_args,
                       "-c:a", "aac", "-b:a", "64k", "-movflags", "+faststart", str(tmp)])
            os.replace(tmp, dest)
        finally:
            tmp.unlink(missing_ok=True)

    def shutdown(self) -> None:
        """Kill running ffmpeg processes and refuse new ones."""
        with self._lock:
            self._closed = True
            procs = list(self._procs)
        for proc in procs:
            try:
                proc.kill()
            except OSError:
                pass

    # ----------------------------------------------------------------- static
    def make_static(self) -> Clip:
        """Make (or copy from the cache) the static clip; called once at startup."""
        dest = self.dir / "static.mp4"
        if not self.ffmpeg:
            self.log("ffmpeg not found: serving a placeholder that is not a playable MP4")
            dest.write_bytes(FALLBACK_MP4)
            clip = _clip_of(dest, "static")
            self.static_job.finish(clip, "ffmpeg not found")
            return clip
        w, h = STATIC_SIZE
        inputs = ["-f", "lavfi", "-i", f"testsrc2=size={w}x{h}:rate={FPS}",
                  "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100"]
        output_args = ["-map", "0:v", "-map", "1:a", "-t", str(STATIC_SECONDS)]
        key = hashlib.sha256(" ".join(inputs + output_args + self.video_codec_args)
                             .encode()).hexdigest()[:16]
        cached = self.cache_dir / f"static-{key}.mp4"
        if cached.is_file() and cached.stat().st_size > len(FALLBACK_MP4):
            shutil.copyfile(cached, dest)
        else:
            self._encode(inputs, output_args, dest)
            try:
                self.cache_dir.mkdir(parents=True, exist_ok=True)
                tmp = cached.with_name(f".{cached.name}.{os.getpid()}.tmp")
                shutil.copyfile(dest, tmp)
                os.replace(tmp, cached)
            except OSError:
                pass  # the cache is an optimisation only
        clip = _clip_of(dest, "static")
        self.static_job.finish(clip)
        return clip

    # ------------------------------------------------------------------ large
    def large_job(self, mib: int) -> ClipJob:
        """The shared job for an N MiB clip (started on first use)."""
        with self._lock:
            job = self._large.get(mib)
            if job is None:
                job = self._large[mib] = ClipJob("large")
                threading.Thread(target=self._make_large, args=(mib, job), daemon=True,
                                 name=f"large-clip-{mib}").start()
        return job

    def _make_large(self, mib: int, job: ClipJob) -> None:
        self.static_job.wait()
        static = self.static_job.clip
        assert static is not None
        dest = self.dir / f"large-{mib}mb.mp4"
        target = mib * MIB
        try:
            if dest.is_file() and dest.stat().st_size == target:
                job.finish(_clip_of(dest, "large"))
                return
            head = static.path.read_bytes()
            pad = target - len(head)
            if pad < 16:
                job.finish(static, f"{mib} MiB is smaller than the static clip")
                return
            # A top-level 'free' box after the (faststart) moov/mdat keeps the
            # file a valid MP4; sizes >= 4 GiB need the 64-bit largesize form.
            if pad < 2**32:
                box_header = struct.pack(">I4s", pad, b"free")
            else:
                box_header = struct.pack(">I4sQ", 1, b"free", pad)
            digest = hashlib.sha256()
            tmp = dest.with_name(f".{dest.name}.tmp")
            with open(tmp, "wb") as f:
                for data in (head, box_header):
                    f.write(data)
                    digest.update(data)
                remaining = pad - len(box_header)
                zeros = bytes(MIB)
                while remaining > 0:
                    chunk = zeros if remaining >= MIB else bytes(remaining)
                    f.write(chunk)
                    digest.update(chunk)
                    remaining -= len(chunk)
            os.replace(tmp, dest)
            job.finish(Clip(dest, digest.hexdigest(), target, "large"))
        except Exception as exc:  # never leave a task waiting forever
            self.log(f"large clip failed: {exc}")
            job.finish(static, f"large clip failed: {exc}")

    # ------------------------------------------------------------- from-frame
    def from_frame_job(self, name: str, image_url: str | None, duration: int,
                       resolve_local: Callable[[str], Path | None]) -> ClipJob:
        """Start making a zoom-in clip from the first-frame image at image_url."""
        job = ClipJob("from-frame")
        if not image_url or not self.ffmpeg or not self.ffprobe:
            job.finish(self._static(), None if image_url else "no first frame: static clip")
            return job
        threading.Thread(target=self._make_from_frame,
                         args=(job, name, image_url, duration, resolve_local),
                         daemon=True, name=f"clip-{name}").start()
        return job

    def _static(self) -> Clip:
        self.static_job.wait()
        assert self.static_job.clip is not None
        return self.static_job.clip

    def _make_from_frame(self, job: ClipJob, name: str, image_url: str, duration: int,
                         resolve_local: Callable[[str], Path | None]) -> None:
        downloaded: Path | None = None
        try:
            image = resolve_local(image_url)
            if image is None:
                downloaded = image = self._download(image_url, name)
            probe = self._run([self.ffprobe or "ffprobe", "-v", "error", "-select_streams", "v:0",
                               "-show_entries", "stream=width,height", "-of", "csv=p=0:s=x",
                               str(image)], timeout=30)
            src_w, src_h = (int(v) for v in probe.strip().splitlines()[0].split("x")[:2])
            width = FROM_FRAME_WIDTH
            height = max(2, round(width * src_h / src_w / 2) * 2)
            longest = self.max_from_frame_seconds
            seconds = min(duration, longest) if duration > 0 else longest
            frames = seconds * FPS
            # Upscaling 4x before zoompan avoids its well-known jitter (it
            # rounds the crop position to whole input pixels); trim keeps only
            # the first frame of animated GIF/WebP inputs.
            vf = (f"[0:v]trim=end_frame=1,scale={4 * width}:{4 * height},"
                  f"zoompan=z='1+0.25*on/{frames}':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)'"
                  f":d={frames}:s={width}x{height}:fps={FPS},setsar=1,format=yuv420p[v]")
            dest = self.dir / f"{name}.mp4"
            # No -frames:v: it ends the whole output early and cuts the audio.
            self._encode(["-i", str(image), "-f", "lavfi", "-i",
                          f"sine=frequency=440:sample_rate=44100:duration={seconds}"],
                         ["-filter_complex", vf, "-map", "[v]", "-map", "1:a",
                          "-t", str(seconds)], dest)
            job.finish(_clip_of(dest, "from-frame"))
        except Exception as exc:
            self.log(f"from-frame clip failed, using the static clip: {str(exc)[:200]}")
            job.finish(self._static(), f"from-frame failed: {exc}")
        finally:
            if downloaded is not None:
                downloaded.unlink(missing_ok=True)

    def _download(self, url: str, name: str) -> Path:
        """Fetch a remote first-frame image (size-capped) into the clips dir."""
        with urllib.request.urlopen(url, timeout=15) as resp:  # noqa: S310 (test tool)
            data = resp.read(MAX_REMOTE_IMAGE + 1)
        if len(data) > MAX_REMOTE_IMAGE:
            raise RuntimeError("first-frame image too large")
        fd, path = tempfile.mkstemp(prefix=f".src-{name}-", dir=self.dir)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        return Path(path)
