"""multipart/form-data parsing and image type sniffing.

A small boundary parser instead of the deprecated ``cgi`` module: it keeps
part bodies byte-exact (uploads are hashed and compared by the tests) and
never touches line endings inside a part.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from email.message import Message
from email.parser import BytesHeaderParser
from email import policy


class MultipartError(ValueError):
    """The body is not a usable multipart/form-data document."""


@dataclass
class Part:
    name: str | None
    filename: str | None
    content_type: str | None
    data: bytes

    def summary(self) -> dict:
        """The form of a part recorded in the request log (no content)."""
        return {
            "name": self.name,
            "filename": self.filename,
            "content_type": self.content_type,
            "size": len(self.data),
            "sha256": hashlib.sha256(self.data).hexdigest(),
        }


def boundary_of(content_type: str | None) -> str | None:
    """The boundary parameter of a multipart/form-data Content-Type, or None."""
    if not content_type:
        return None
    msg = Message()
    msg["Content-Type"] = content_type
    if msg.get_content_type() != "multipart/form-data":
        return None
    boundary = msg.get_param("boundary")
    if not isinstance(boundary, str) or not boundary:
        return None
    return boundary


def parse_multipart(body: bytes, content_type: str | None) -> list[Part]:
    """Split a multipart/form-data body into parts.

    Raises MultipartError when the Content-Type has no boundary or the body
    does not contain a single well-formed part.
    """
    boundary = boundary_of(content_type)
    if boundary is None:
        raise MultipartError("Content-Type must be multipart/form-data with a boundary")
    delimiter = b"\r\n--" + boundary.encode("latin-1")
    # Prefixing CRLF lets the first delimiter (which may start the body) match
    # the same pattern as the others.
    segments = (b"\r\n" + body).split(delimiter)
    if len(segments) < 3:
        raise MultipartError("multipart body has no complete part")
    parts: list[Part] = []
    header_parser = BytesHeaderParser(policy=policy.HTTP)
    for segment in segments[1:]:
        if segment.startswith(b"--"):
            break  # close delimiter; anything after is epilogue
        # The delimiter line may carry transport padding before its CRLF.
        line_end = segment.find(b"\r\n")
        if line_end < 0:
            raise MultipartError("malformed multipart delimiter line")
        segment = segment[line_end + 2:]
        header_end = segment.find(b"\r\n\r\n")
        if header_end < 0:
            if segment.startswith(b"\r\n"):  # a part with no headers at all
                headers_raw, data = b"", segment[2:]
            else:
                raise MultipartError("multipart part has no header terminator")
        else:
            headers_raw, data = segment[:header_end + 2], segment[header_end + 4:]
        headers = header_parser.parsebytes(headers_raw + b"\r\n")
        name = headers.get_param("name", header="content-disposition")
        filename = headers.get_filename()
        parts.append(Part(
            name=str(name) if name is not None else None,
            filename=filename,
            content_type=headers.get("content-type"),
            data=data,
        ))
    else:
        raise MultipartError("multipart body has no closing delimiter")
    if not parts:
        raise MultipartError("multipart body has no parts")
    return parts


# (mime type, file extension) by magic bytes; only the four types ToAPIs accepts.
def sniff_image(data: bytes) -> tuple[str, str] | None:
    """Identify JPEG, PNG, WebP or GIF from magic bytes; None for anything else."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg", "jpg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png", "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", "webp"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif", "gif"
    return None
