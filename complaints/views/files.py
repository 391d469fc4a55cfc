from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from complaints import access, audit
from complaints.models import Document


@login_required
def document_download(request, reference, pk):
    """The only way a document leaves the service: after the same check as the case page."""
    case = access.case_or_404(request.user, reference)
    document = get_object_or_404(Document, case=case, pk=pk)
    if not access.may_download(request.user, document):
        raise Http404("No such document.")
    audit.record_download(request, document)
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=document.content_type != "application/pdf",
        filename=document.filename,
        content_type=document.content_type,
    )
    return response
