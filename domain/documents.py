"""Documents attached to an approval case: what kinds are taken, known by their content.

A file's name and declared type are the client's to choose; its first bytes are not.  A
document is taken when its content is of a kind listed here and its name ends as that
kind's do; anything else is refused, naming the field.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from domain.errors import BadUserInput, Text

MAX_FILENAME = 200
# media type → (file name endings, a test of the content)
KINDS: dict[str, tuple[str, ...]] = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "application/ofd": (".ofd",),  # GB/T 33190, China's format for official documents
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
}


@dataclass(frozen=True)
class Document:
    filename: str
    content: bytes


def _zip_holds(content: bytes, member: str) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return any(n.lower().startswith(member) for n in archive.namelist())
    except zipfile.BadZipFile:
        return False


def _content_kind(content: bytes) -> str | None:
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"PK\x03\x04"):
        if _zip_holds(content, "ofd.xml"):
            return "application/ofd"
        if _zip_holds(content, "word/"):
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return None


def document_type(document: Document, most_bytes: int, field: str) -> str:
    """The media type of a document, or BadUserInput naming ``field``: empty, too large, of
    a kind not taken, or named as another kind than it is."""
    name = document.filename.strip()
    if not name or len(name) > MAX_FILENAME or any(c in name for c in "/\\\0"):
        raise BadUserInput(
            Text(f"{field}: 文件名无效", f"{field}: the file name is not valid"), field
        )
    size = len(document.content)
    if size == 0 or size > most_bytes:
        raise BadUserInput(
            Text(
                f"{field}: 文件大小须在 1 至 {most_bytes} 字节之间（本文件 {size} 字节）",
                f"{field}: a document has 1 to {most_bytes} bytes ({name} has {size})",
            ),
            field,
        )
    kind = _content_kind(document.content)
    allowed = ", ".join(e for endings in KINDS.values() for e in endings)
    if kind is None or not name.lower().endswith(KINDS[kind]):
        raise BadUserInput(
            Text(
                f"{field}: 「{name}」不是可接受的文件类型（{allowed}），或文件名与内容不符",
                f"{field}: {name} is not of a kind taken ({allowed}), or its name does not"
                " match its content",
            ),
            field,
        )
    return kind
