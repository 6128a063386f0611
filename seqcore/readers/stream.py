"""Bytes in: a file on disk (plain or gzip) or bytes in memory, read chunk by chunk, checked and decoded.

A file on disk is read chunk by chunk, so its size is not limited and parsing needs bounded memory.
Bytes already in memory (an upload) are limited to `MAX_IN_MEMORY_BYTES`.
"""

from __future__ import annotations

import codecs
import gzip
import io
import itertools
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from seqcore.readers.records import DataFormatError, Progress, Source

UPLOAD_NAME = "<upload>"
# Bytes held whole in memory (an upload) are capped; the app's upload limit (.streamlit/config.toml) is the same 20 MB.
MAX_IN_MEMORY_BYTES = 20 * 2**20
CHUNK_BYTES = 1 << 16
SNIFF_BYTES = 1 << 18  # how much of a file's start decides its kind
_BOM = b"\xef\xbb\xbf"
_GZIP_MAGIC = b"\x1f\x8b"
_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff")  # UTF-16 (and UTF-32 LE) byte order marks
MAX_LINE_CHARS = 1 << 23  # a line longer than this (8 Mi characters) is refused: no sentence is that long
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_UTF8_NAMES = {"utf-8", "utf8", "us-ascii", "ascii"}


def _source_label(source: Source, name: str | None) -> str:
    """The name a source is reported by: the name given, else the file's name, else <upload> for bytes."""
    if name:
        return name
    if isinstance(source, (bytes, bytearray, memoryview)):
        return UPLOAD_NAME
    return Path(source).name


class _Stream:
    """A file on disk or bytes in memory, read chunk by chunk and gunzipped on the fly when it is gzip.

    Use it as a context manager. The first chunk read is checked for NUL bytes, so a binary file is
    refused before anything is parsed; `progress` hears (name, bytes read, size) after every chunk.
    """

    def __init__(
        self,
        source: Source,
        name: str | None = None,
        max_bytes: int | None = None,
        progress: Progress | None = None,
        wide: bool = False,
    ):
        self.progress = progress
        self.wide = wide  # a UTF-16 or UTF-32 encoding was named: NUL bytes are text
        self.raw: BinaryIO
        if isinstance(source, (bytes, bytearray, memoryview)):
            data = bytes(source)
            self.label = name or UPLOAD_NAME
            self.size = len(data)
            self._check_size(MAX_IN_MEMORY_BYTES if max_bytes is None else max_bytes, in_memory=True)
            self.raw = io.BytesIO(data)
            head = data[:2]
        else:
            path = Path(source)
            self.label = name or path.name
            if path.is_dir():
                raise DataFormatError(f"{path} is a folder, not a file; name the data files inside it.")
            self.size = path.stat().st_size  # FileNotFoundError for a missing file
            if max_bytes is not None:
                self._check_size(max_bytes, in_memory=False)
            reader = open(path, "rb")  # closed by __exit__
            head = reader.peek(2)[:2]
            self.raw = reader
        self.gzip = head == _GZIP_MAGIC
        self.file: BinaryIO = gzip.GzipFile(fileobj=self.raw, mode="rb") if self.gzip else self.raw  # type: ignore[assignment]
        self._seekable = self.raw.seekable()
        self._read = 0
        self._checked = False

    def _check_size(self, limit: int, in_memory: bool) -> None:
        if self.size <= limit:
            return
        how = (
            " for a file held whole in memory, as an upload is; read it from disk instead "
            "(python -m seqcore stats FILE streams a file of any size)."
            if in_memory
            else "; leave max_bytes unset to stream a file of any size."
        )
        raise DataFormatError(f"{self.label} is {self.size:,} bytes, over the limit of {limit:,} bytes{how}")

    def __enter__(self) -> _Stream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.file.close()
        self.raw.close()

    def read(self, n: int = CHUNK_BYTES) -> bytes:
        """Return up to n bytes of content (gunzipped); b"" at the end."""
        try:
            chunk = self.file.read(n)
        except (OSError, EOFError, zlib.error) as err:
            if not self.gzip:
                raise
            raise DataFormatError(f"{self.label} is a damaged gzip file ({err}); compress or download it again.") from None
        if not self._checked:
            self._checked = True
            if not self.wide and chunk.startswith(_WIDE_BOMS):
                raise DataFormatError(
                    f"{self.label} is UTF-16 or UTF-32 text (it starts with a byte order mark); save it as UTF-8, "
                    "or name its encoding (--encoding utf-16)."
                )
            nul = -1 if self.wide else chunk.find(b"\x00")
            if nul != -1:
                raise DataFormatError(
                    f"{self.label} is a binary file, not text (NUL byte at offset {nul}); "
                    "expected UTF-8 text: SemEval XML, CoNLL-U, or one sentence per line."
                )
        self._read += len(chunk)
        if self.progress is not None:
            done = self.raw.tell() if self._seekable else self._read
            self.progress(self.label, min(done, self.size) if chunk else self.size, self.size)
        return chunk

    def chunks(self) -> Iterator[bytes]:
        while chunk := self.read():
            yield chunk

    def lines(self) -> Iterator[bytes]:
        """Yield the lines, split on b"\\n" only and without it; a final newline adds no empty line."""
        pieces: list[bytes] = []
        for chunk in self.chunks():
            parts = chunk.split(b"\n")
            if len(parts) == 1:
                pieces.append(chunk)
                continue
            pieces.append(parts[0])
            yield b"".join(pieces)
            yield from parts[1:-1]
            pieces = [parts[-1]] if parts[-1] else []
        if pieces:
            yield b"".join(pieces)


def _not_utf8(label: str, data: bytes, start: int, line: int, offset: int) -> DataFormatError:
    return DataFormatError(
        f"{label} is not UTF-8 text (byte 0x{data[start]:02x} at line {line}, offset {offset}); save it as UTF-8."
    )


class _Utf8Check:
    """Check that bytes are UTF-8 as they stream by, and say where the first bad byte is."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.tail = b""  # an incomplete character at the end of the last chunk
        self.offset = 0
        self.line = 1

    def feed(self, chunk: bytes, final: bool = False) -> None:
        data = self.tail + chunk
        try:
            data.decode("utf-8")
            good = len(data)
        except UnicodeDecodeError as err:
            if err.reason != "unexpected end of data" or final:
                line = self.line + data.count(b"\n", 0, err.start)
                raise _not_utf8(self.label, data, err.start, line, self.offset + err.start) from None
            good = err.start
        self.line += data.count(b"\n", 0, good)
        self.offset += good
        self.tail = data[good:]


def _is_utf8(source: Source, name: str | None, max_bytes: int | None) -> bool:
    """Whether the whole content is valid UTF-8 (one streaming pass)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with _Stream(source, name, max_bytes) as stream:
        try:
            for chunk in stream.chunks():
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _text_lines(
    source: Source,
    name: str | None = None,
    max_bytes: int | None = None,
    encoding: str | None = None,
    progress: Progress | None = None,
) -> Iterator[tuple[int, str]]:
    """Yield (line number, line) of a text file or upload, split on "\\n" only, a CR before it dropped.

    `encoding=None` decodes UTF-8 when the whole content is valid UTF-8, else Latin-1 (which never
    fails); "utf-8" refuses other bytes, saying where. A UTF-8 byte order mark is dropped.
    """
    # str.splitlines would also break on U+0085 and U+2028, which occur inside sentences.
    if encoding is None:
        encoding = "utf-8" if _is_utf8(source, name, max_bytes) else "latin-1"
    utf8 = codecs.lookup(encoding).name == "utf-8"
    with _Stream(source, name, max_bytes, progress) as stream:
        offset = 0
        for lineno, raw in enumerate(stream.lines(), start=1):
            skip = len(_BOM) if lineno == 1 and utf8 and raw.startswith(_BOM) else 0
            try:
                line = raw[skip:].decode(encoding)
            except UnicodeDecodeError as err:
                raise _not_utf8(stream.label, raw, skip + err.start, lineno, offset + skip + err.start) from None
            offset += len(raw) + 1
            # A CR before the LF comes from Windows line endings, not from the text.
            yield lineno, line[:-1] if line.endswith("\r") else line


def _decode_text(data: bytes) -> str:
    """Decode UTF-8 when the bytes are valid UTF-8, else Latin-1 (which never fails)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _lines(text: str) -> list[str]:
    """Split on "\\n" only, drop the empty piece after a final newline and a CR before each newline."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def is_wide(encoding: str | None) -> bool:
    """Whether an encoding writes ASCII with NUL bytes (UTF-16, UTF-32), so a NUL byte is no sign of a binary file."""
    return encoding is not None and codecs.lookup(encoding).name.startswith(("utf-16", "utf-32"))


def check_encoding(encoding: str | None) -> str | None:
    """Return the encoding when Python knows it; DataFormatError naming it otherwise."""
    if encoding is None:
        return None
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise DataFormatError(f"unknown encoding {encoding!r}; use a name such as utf-8, cp1252, latin-1 or utf-16.") from None
    return encoding


def _too_long(label: str, lineno: int, max_chars: int) -> DataFormatError:
    return DataFormatError(
        f"{label}: line {lineno} is over {max_chars:,} characters long with no line break; "
        "it is not a file of sentences (a single enormous line, or the wrong file)."
    )


def decoded_lines(
    source: Source,
    name: str | None = None,
    encoding: str | None = None,
    max_bytes: int | None = None,
    progress: Progress | None = None,
    max_chars: int = MAX_LINE_CHARS,
) -> Iterator[tuple[int, str]]:
    """Yield (line number, line ending in "\n") of a text file decoded as it streams, a CR before the LF dropped.

    `encoding=None` means UTF-8, with or without a byte order mark; other bytes are refused with the
    line and the offset, and a hint to name the encoding. A line over `max_chars` characters is refused
    before it is held whole, so one enormous line cannot fill memory.
    """
    check_encoding(encoding)
    codec = codecs.lookup(encoding or "utf-8").name
    decoder = codecs.getincrementaldecoder("utf-8-sig" if codec == "utf-8" else codec)()
    hint = (
        "save it as UTF-8, or name its encoding (--encoding cp1252, latin-1, utf-16...)."
        if encoding is None
        else f"is {encoding!r} its encoding?"
    )
    with _Stream(source, name, max_bytes, progress, wide=is_wide(encoding)) as stream:
        label = stream.label
        lineno, consumed = 1, 0
        pieces: list[str] = []
        held = 0

        def decode(chunk: bytes, final: bool) -> str:
            try:
                return decoder.decode(chunk, final)
            except UnicodeDecodeError as err:
                buffered = len(err.object) - len(chunk)
                line = lineno + err.object[: err.start].count(b"\n")
                raise DataFormatError(
                    f"{label} is not {encoding or 'UTF-8'} text (byte 0x{err.object[err.start]:02x} at line {line}, "
                    f"offset {consumed - buffered + err.start}); {hint}"
                ) from None

        for chunk in itertools.chain(stream.chunks(), [b""]):
            text = decode(chunk, final=not chunk)
            consumed += len(chunk)
            parts = text.split("\n")
            for part in parts[:-1]:
                if held + len(part) > max_chars:
                    raise _too_long(label, lineno, max_chars)
                pieces.append(part)
                line = "".join(pieces)
                pieces, held = [], 0
                yield lineno, (line[:-1] if line.endswith("\r") else line) + "\n"
                lineno += 1
            if parts[-1]:
                pieces.append(parts[-1])
                held += len(parts[-1])
                if held > max_chars:
                    raise _too_long(label, lineno, max_chars)
        if pieces:
            line = "".join(pieces)
            yield lineno, (line[:-1] if line.endswith("\r") else line) + "\n"
