"""The editor's live preview: the posted editor rendered as the published card would be, as JSON."""

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.http import require_POST
from django_ratelimit.core import get_usage

from .. import editor

# Typing with a 400 ms pause between requests makes at most a few per second; this only stops floods.
PREVIEW_RATE = "240/m"


@require_POST
def editor_preview(request):
    usage = get_usage(
        request, group="modelcards.preview", key="user_or_ip", rate=PREVIEW_RATE, increment=True
    )
    if usage and usage["should_limit"]:
        return JsonResponse(
            {"error": "Too many previews at once; the preview resumes in a minute."}, status=429
        )
    limit = settings.MODELCARDS_MAX_CARD_BYTES
    if any(len(request.POST.get(name, "").encode("utf-8")) > limit for name in ("text", "meta-body")):
        return JsonResponse({"error": f"The text is over the {limit:,}-byte limit for a card."}, status=413)
    whole_card = not request.POST.get("section")
    posted = editor.read_post(request.POST, whole_card=whole_card)
    return JsonResponse(editor.preview_payload(posted, whole_card=whole_card))
