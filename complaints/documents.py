"""Documents on a case: what may be uploaded, and storing it.

A file is accepted when its extension is allowed and its content really is of that type (read
from its first bytes with `filetype`), so a renamed executable is refused. Files are stored
under random names and served only by views.document_download after the access checks.
"""

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from complaints.models import Case, Document, Stage

# extension: (content type, what the first bytes must be: a filetype MIME, or None for text)
ALLOWED_TYPES: dict[str, tuple[str, str | None]] = {
    "pdf": ("application/pdf", "application/pdf"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "doc": ("application/msword", "application/msword"),
    "jpg": ("image/jpeg", "image/jpeg"),
    "jpeg": ("image/jpeg", "image/jpeg"),
    "png": ("image/png", "image/png"),
    "txt": ("text/plain", None),
    "eml": ("message/rfc822", None),
}
# Office files are zip (docx, xlsx) or OLE (doc) containers; filetype may report either.
_CONTAINERS = {"application/zip", "application/x-ole-storage"}


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def check_upload(upload: UploadedFile) -> str:
    """Raise ValidationError unless the upload is an allowed type within the size limit.
    Returns the content type to store."""
    limit = settings.DOCUMENT_MAX_MB * 1024 * 1024
    if upload.size == 0:
        raise ValidationError("The selected file is empty.")
    if upload.size > limit:
        raise ValidationError(
            f"The selected file must be smaller than {settings.DOCUMENT_MAX_MB} MB."
        )
    ext = _extension(upload.name)
    if ext not in ALLOWED_TYPES:
        raise ValidationError("The selected file must be a PDF, Word, Excel, text, JPEG or PNG.")
    content_type, expected = ALLOWED_TYPES[ext]
    head = upload.read(8192)
    upload.seek(0)
    found = filetype.guess_mime(head)
    if expected is None:
        if found is not None or b"\x00" in head:
            raise ValidationError(f"The selected file is not a .{ext} file.")
    elif found != expected and not (found in _CONTAINERS and ext in {"docx", "xlsx", "doc"}):
        raise ValidationError(f"The selected file is not a real .{ext} file.")
    return content_type


@transaction.atomic
def document_add(
    *, case: Case, by, kind: str, title: str, upload: UploadedFile, stage: Stage | None = None
) -> Document:
    content_type = check_upload(upload)
    document = Document(
        case=case,
        stage=stage or case.current_stage,
        kind=kind,
        title=title,
        filename=upload.name[-255:],
        content_type=content_type,
        size=upload.size,
        uploaded_by=by,
    )
    document.file.save(upload.name, upload, save=False)
    document.save()
    return document
