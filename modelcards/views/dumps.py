"""The published dumps: a page listing them, and their files."""

from django.http import FileResponse, Http404
from django.shortcuts import render

from ..dumps.publishing import dump_file, published_dumps
from ..dumps.records import CARDS_FILE, HISTORY_FILE, MANIFEST_FILE, SUMS_FILE

CONTENT_TYPES = {
    CARDS_FILE: "application/gzip",
    HISTORY_FILE: "application/gzip",
    SUMS_FILE: "text/plain; charset=utf-8",
    MANIFEST_FILE: "application/json",
}


def dumps(request):
    return render(
        request,
        "modelcards/dumps.html",
        {"dumps": published_dumps(), "cards_file": CARDS_FILE, "history_file": HISTORY_FILE},
    )


def dump_download(request, stamp, name):
    path = dump_file(stamp, name)
    if path is None:
        raise Http404("No such dump file.")
    try:
        handle = open(path, "rb")  # noqa: SIM115 - FileResponse closes it when the response is sent
    except OSError:  # deleted by a newer dump since it was looked up
        raise Http404("No such dump file.") from None
    response = FileResponse(
        handle,
        as_attachment=name != SUMS_FILE and name != MANIFEST_FILE,
        filename=name,  # as SHA256SUMS names it, so `sha256sum -c` works in the download folder
        content_type=CONTENT_TYPES[name],
    )
    response["Cache-Control"] = "public, max-age=86400, immutable"  # a published dump never changes
    return response
