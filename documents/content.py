"""What a file is, read from its first bytes (magic numbers), never from its name or the
browser's claim: a renamed executable stays an executable and is refused."""

import zipfile

# (content type, leading bytes). Only these are accepted.
SIGNATURES = [
    ("application/pdf", b"%PDF-"),
    ("image/png", b"\x89PNG\r\n\x1a\n"),
    ("image/jpeg", b"\xff\xd8\xff"),
]
OOXML = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    OOXML["word/"]: ".docx",
    OOXML["xl/"]: ".xlsx",
}


def sniff(uploaded) -> str | None:
    """The allowed content type of `uploaded` (a Django File), or None when it is none of them."""
    uploaded.seek(0)
    head = uploaded.read(16)
    uploaded.seek(0)
    for content_type, magic in SIGNATURES:
        if head.startswith(magic):
            return content_type
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(uploaded) as archive:
                names = archive.namelist()[:2000]
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        finally:
            uploaded.seek(0)
        if "[Content_Types].xml" in names:
            for prefix, content_type in OOXML.items():
                if any(name.startswith(prefix) for name in names):
                    return content_type
    return None
