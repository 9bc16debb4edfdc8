"""The editor's live preview: the posted editor rendered as the published card would be, as JSON."""

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.http import require_POST

from .. import editor, limits


@require_POST
def editor_preview(request):
    size = max(len(request.POST.get(name, "").encode("utf-8")) for name in ("text", "meta-body"))
    limit = settings.MODELCARDS_MAX_CARD_BYTES
    if size > limit:
        return JsonResponse({"error": f"The text is over the {limit:,}-byte limit for a card."}, status=413)
    if limits.seconds_until_allowed(request, "preview", cost=limits.preview_cost(size)):
        return JsonResponse(
            {"error": "Too many previews at once; the preview resumes in a minute."}, status=429
        )
    whole_card = not request.POST.get("section")
    posted = editor.read_post(request.POST, whole_card=whole_card)
    return JsonResponse(editor.preview_payload(posted, whole_card=whole_card))
