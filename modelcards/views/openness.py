"""Openness pages: the sections contributors could write, and the openness record's exports."""

import yaml
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render

from ..models import ModelCard
from ..openness.report import card_mot_release, openness_document, wanted_groups
from ..pagecache import cache_card_page

WANTED_CARDS = 200  # the most incomplete cards; enough for a page people can act on
WANTED_PER_SECTION = 25


def wanted(request):
    cards = list(
        ModelCard.objects.filter(completeness__lt=100)
        .order_by("completeness", "title", "slug")
        .only("slug", "title", "completeness", "missing_sections")[:WANTED_CARDS]
    )
    return render(
        request,
        "modelcards/wanted.html",
        {"cards": cards, "groups": wanted_groups(cards, per_group=WANTED_PER_SECTION)},
    )


@cache_card_page()
def openness_json(request, slug):
    card = get_object_or_404(ModelCard, slug=slug)
    return JsonResponse(openness_document(card), json_dumps_params={"ensure_ascii": False, "indent": 2})


@cache_card_page()
def openness_yaml(request, slug):
    card = get_object_or_404(ModelCard, slug=slug)
    text = yaml.safe_dump(card_mot_release(card), sort_keys=False, allow_unicode=True, width=100)
    response = HttpResponse(text.encode("utf-8"), content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{card.slug}.mof.yml"'
    return response
