"""Per-model validation of POST /v1/videos/generations bodies.

The rules follow the protocol reference (the ToAPIs documentation,
sections 3 and 8). They are kept as data so a new model is one table entry.
Unknown top-level fields are ignored, as real gateways do.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

RATIOS = ("16:9", "9:16", "1:1", "4:3", "3:4", "21:9")
SEED_MIN, SEED_MAX = -1, 2**32 - 1
FRAME_ROLES = ("first_frame", "last_frame")


@dataclass(frozen=True)
class ModelSpec:
    id: str
    min_duration: int
    max_duration: int
    resolution_field: str            # dotted path: "metadata.resolution" or "resolution"
    resolutions: tuple[str, ...]
    ratios: tuple[str, ...] = RATIOS
    roles: tuple[str, ...] = FRAME_ROLES
    reference_role: str | None = None  # role name of reference images, if any
    max_references: int = 0
    auto_durations: tuple[int, ...] = ()  # e.g. -1/0 = "let the model choose"
    bool_fields: tuple[str, ...] = ()
    seed_fields: tuple[str, ...] = ("metadata.seed",)
    extra_url_schemes: tuple[str, ...] = ()  # besides http/https
    no_1080p_with_reference: bool = False


MODELS: dict[str, ModelSpec] = {m.id: m for m in (
    ModelSpec(
        id="doubao-seedance-1-5-pro", min_duration=4, max_duration=12,
        resolution_field="metadata.resolution", resolutions=("480p", "720p", "1080p"),
        bool_fields=("metadata.audio", "metadata.camerafixed"),
    ),
    ModelSpec(
        id="doubao-seedance-1-0-pro-fast", min_duration=2, max_duration=12,
        resolution_field="resolution", resolutions=("480p", "720p", "1080p"),
        roles=("first_frame",), reference_role="reference", max_references=1,
        no_1080p_with_reference=True,
    ),
    ModelSpec(
        id="doubao-seedance-1-0-pro-quality", min_duration=2, max_duration=12,
        resolution_field="resolution", resolutions=("480p", "720p", "1080p"),
        reference_role="reference", max_references=1, no_1080p_with_reference=True,
    ),
    ModelSpec(
        id="seedance-2", min_duration=4, max_duration=15, auto_durations=(-1, 0),
        resolution_field="resolution", resolutions=("480p", "720p", "1080p", "4k"),
        ratios=RATIOS + ("adaptive",), reference_role="reference_image", max_references=9,
        bool_fields=("generate_audio", "return_last_frame"),
        seed_fields=("seed", "metadata.seed"), extra_url_schemes=("data", "asset"),
    ),
    ModelSpec(
        id="seedance-2-fast", min_duration=4, max_duration=15, auto_durations=(-1, 0),
        resolution_field="resolution", resolutions=("480p", "720p"),
        ratios=RATIOS + ("adaptive",), reference_role="reference_image", max_references=9,
        bool_fields=("generate_audio", "return_last_frame"),
        seed_fields=("seed", "metadata.seed"), extra_url_schemes=("data", "asset"),
    ),
)}

_MISSING = object()


class ValidationError(ValueError):
    def __init__(self, message: str, param: str | None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param


def _get(body: dict, dotted: str) -> Any:
    node: Any = body
    for key in dotted.split("."):
        if not isinstance(node, dict) or key not in node:
            return _MISSING
        node = node[key]
    return node


def _is_int(value: Any) -> bool:
    # bool is a subclass of int in Python but not an integer in JSON.
    return isinstance(value, int) and not isinstance(value, bool)


def _check_url(spec: ModelSpec, url: Any, param: str) -> None:
    if not isinstance(url, str) or not url:
        raise ValidationError(f"{param} must be a non-empty URL string", param)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in ("http", "https") and parts.netloc:
        return
    if scheme in spec.extra_url_schemes:
        if scheme == "data" and not url.lower().startswith("data:image/"):
            raise ValidationError(f"{param} data URI must be an image", param)
        return
    raise ValidationError(f"{param} must be a public http(s) URL", param)


def first_frame_url(body: dict) -> str | None:
    """The URL of the first-frame image of a (valid) request, if it has one."""
    roles = body.get("image_with_roles")
    if isinstance(roles, list):
        for item in roles:
            if isinstance(item, dict) and item.get("role") == "first_frame":
                url = item.get("url")
                return url if isinstance(url, str) else None
        return None
    urls = body.get("image_urls")
    if isinstance(urls, list) and urls and isinstance(urls[0], str):
        return urls[0]
    return None


def validate_create(body: Any) -> ModelSpec:
    """Check a create-task body; returns the model spec or raises ValidationError."""
    if not isinstance(body, dict):
        raise ValidationError("Request body must be a JSON object", None)
    model = body.get("model")
    if model is None:
        raise ValidationError("model is required", "model")
    if not isinstance(model, str) or model not in MODELS:
        raise ValidationError(f"Model {model!r} is not supported for video generation", "model")
    spec = MODELS[model]

    prompt = body.get("prompt")
    if prompt is None:
        raise ValidationError("prompt is required", "prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise ValidationError("prompt must be a non-empty string", "prompt")

    if "metadata" in body and not isinstance(body["metadata"], dict):
        raise ValidationError("metadata must be an object", "metadata")

    duration = body.get("duration", _MISSING)
    if duration is not _MISSING:
        ok = _is_int(duration) and (
            spec.min_duration <= duration <= spec.max_duration or duration in spec.auto_durations)
        if not ok:
            extra = "".join(f" or {d}" for d in spec.auto_durations)
            raise ValidationError(
                f"duration must be an integer between {spec.min_duration} and "
                f"{spec.max_duration}{extra} for {model}", "duration")

    ratio = body.get("aspect_ratio", _MISSING)
    if ratio is not _MISSING and ratio not in spec.ratios:
        raise ValidationError(
            f"aspect_ratio must be one of {', '.join(spec.ratios)} for {model}", "aspect_ratio")

    resolution = _get(body, spec.resolution_field)
    if resolution is not _MISSING and resolution not in spec.resolutions:
        raise ValidationError(
            f"{spec.resolution_field} must be one of {', '.join(spec.resolutions)} for {model}",
            spec.resolution_field)

    for field in spec.bool_fields:
        value = _get(body, field)
        if value is not _MISSING and not isinstance(value, bool):
            raise ValidationError(f"{field} must be a boolean", field)

    for field in spec.seed_fields:
        seed = _get(body, field)
        if seed is not _MISSING and not (_is_int(seed) and SEED_MIN <= seed <= SEED_MAX):
            raise ValidationError(f"{field} must be an integer between -1 and 4294967295", field)

    _validate_images(spec, body, resolution)
    return spec


def _validate_images(spec: ModelSpec, body: dict, resolution: Any) -> None:
    has_urls = "image_urls" in body
    has_roles = "image_with_roles" in body
    if has_urls and has_roles:
        raise ValidationError(
            "image_urls and image_with_roles cannot be used together; use image_with_roles",
            "image_with_roles")
    if has_urls:
        urls = body["image_urls"]
        if not isinstance(urls, list) or not urls:
            raise ValidationError("image_urls must be a non-empty array of URL strings", "image_urls")
        for i, url in enumerate(urls):
            if not isinstance(url, str):
                raise ValidationError("image_urls items must be URL strings", f"image_urls[{i}]")
            _check_url(spec, url, f"image_urls[{i}]")
    if not has_roles:
        return
    items = body["image_with_roles"]
    if not isinstance(items, list) or not items:
        raise ValidationError("image_with_roles must be a non-empty array", "image_with_roles")
    allowed = spec.roles + ((spec.reference_role,) if spec.reference_role else ())
    counts: dict[str, int] = {}
    for i, item in enumerate(items):
        param = f"image_with_roles[{i}]"
        if not isinstance(item, dict):
            raise ValidationError(f"{param} must be an object with url and role", param)
        role = item.get("role")
        if role not in allowed:
            raise ValidationError(
                f"{param}.role must be one of {', '.join(allowed)} for {spec.id}", f"{param}.role")
        _check_url(spec, item.get("url"), f"{param}.url")
        counts[role] = counts.get(role, 0) + 1
    for role in FRAME_ROLES:
        if counts.get(role, 0) > 1:
            raise ValidationError(f"at most one {role} image is allowed", "image_with_roles")
    if counts.get("last_frame") and not counts.get("first_frame"):
        raise ValidationError("last_frame requires a first_frame image", "image_with_roles")
    references = counts.get(spec.reference_role or "", 0)
    if references:
        if counts.get("first_frame") or counts.get("last_frame"):
            raise ValidationError(
                "frame images and reference images cannot be mixed", "image_with_roles")
        if references > spec.max_references:
            raise ValidationError(
                f"at most {spec.max_references} {spec.reference_role} image(s) allowed",
                "image_with_roles")
        if spec.no_1080p_with_reference and resolution == "1080p":
            raise ValidationError("1080p is not supported with a reference image", "resolution")
