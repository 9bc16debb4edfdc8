"""Pages for reading, importing and exporting cards."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from .. import permissions
from ..cardfile import as_list
from ..cardmeta import build_panel
from ..forms import CardImportForm
from ..governance import maintainers, protection
from ..hub.client import hub_url
from ..models import CardVersion, ModelCard, Watch
from ..notifications import watchlist
from ..openness.licences import LICENCE_TYPES, licence_type_label, read_licence
from ..openness.mof import CLASS_NAMES
from ..openness.report import report_for
from ..pagecache import cache_card_page, cache_site_page, card_scopes, personal_page, shared_parts
from ..rendering import MarkdownRefused, render_markdown
from ..search import filter_cards
from ..vocabularies import PIPELINE_TAGS
from ..watch_state import is_watching
from ..workflow import WorkflowError, create_card

CARDS_PER_PAGE = 25
OPENNESS_FILTERS = ("mof", "licence_type", "flagged")
LIST_FILTERS = ("license", "pipeline_tag", "tag", *OPENNESS_FILTERS)
# The card page's action links (URL names taking the slug).
CARD_PAGE_LINKS = (
    "suggest",
    "card_edit",
    "card_markdown",
    "card_json",
    "talk",
    "history",
    "blame",
    "card_watch",
    "card_protection",
)


@cache_site_page()
def home(request):
    recent = ModelCard.objects.for_listing().order_by("-updated_at")[:8]
    return render(
        request, "modelcards/home.html", {"recent": recent, "card_count": ModelCard.objects.count()}
    )


@method_decorator(cache_site_page(params=("q", "page", *LIST_FILTERS)), name="dispatch")
class CardListView(ListView):
    template_name = "modelcards/card_list.html"
    context_object_name = "cards"
    paginate_by = CARDS_PER_PAGE

    def get_queryset(self):
        return filter_cards(ModelCard.objects.for_listing(), self.request.GET)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET
        licences = sorted(
            {lic for lic in ModelCard.objects.values_list("license", flat=True).distinct() if lic}
        )
        tasks = sorted({t for t in ModelCard.objects.values_list("pipeline_tag", flat=True).distinct() if t})
        kept = params.copy()
        kept.pop("page", None)
        context.update(
            query=params.get("q", ""),
            selected={key: params.get(key, "") for key in LIST_FILTERS},
            licence_choices=[(lic, _licence_label(lic)) for lic in licences],
            mof_choices=[(str(number), name) for number, name in sorted(CLASS_NAMES.items())]
            + [("0", "No MOF class")],
            licence_type_choices=[(type_, licence_type_label(type_)) for type_ in LICENCE_TYPES],
            task_choices=[(t, PIPELINE_TAGS.get(t, t)) for t in tasks],
            querystring=kept.urlencode(),
        )
        return context


def _licence_label(identifier: str) -> str:
    licence = read_licence(identifier or "").licence
    return f"{identifier} ({licence.name})" if licence and licence.name != identifier else identifier


def render_body(body: str, *, section_links: bool = False, drop_title: bool = False):
    """Rendered body, or None with the reason when the text cannot be rendered safely.

    Every page showing a card body has its own <h1>, so the body's headings are shown a level down;
    `drop_title` leaves out the body's title heading where that <h1> is the card's title already.
    """
    try:
        rendered = render_markdown(
            body, section_links=section_links, demote_headings=True, drop_title=drop_title
        )
        return rendered, ""
    except MarkdownRefused as exc:
        return None, str(exc)


@cache_card_page()
def card_detail(request, slug):
    user = request.user
    can_review, watching = permissions.can_review(user), is_watching(user, slug)

    def context():
        shared = shared_parts(card_scopes(slug), f"card:{slug}", lambda: _card_parts(slug))
        return {"card": shared["card"], "shared": shared, "can_review": can_review, "watching": watching}

    return personal_page(
        request,
        "modelcards/card_detail.html",
        card_scopes(slug),
        f"card:{slug}",
        context,
        variant=(can_review, watching),
    )


def _card_parts(slug: str) -> dict:
    """What a card's page shows every visitor alike, rendered without the request (see shared_parts)."""
    # The protection notice comes in the card's own query (protection.with_notice): no query more.
    card = get_object_or_404(
        protection.with_notice(ModelCard.objects.defer("line_versions").select_related("hub_link")), slug=slug
    )
    rendered, render_problem = render_body(card.body, section_links=True, drop_title=True)
    local = frozenset(
        ModelCard.objects.filter(slug__in=_base_model_slugs(card.metadata)).values_list("slug", flat=True)
    )
    context = {
        "card": card,
        "panel": build_panel(card.metadata, local_slugs=local, provenance=card.claim_provenance),
        "openness": report_for(card),
        "rendered": rendered,
        "render_problem": render_problem,
        "pending_count": card.suggestions.pending().filter(held=False).count(),
        "maintainers": [row.user.get_username() for row in maintainers.of_card(card)],
    }
    return {
        "card": {
            "pk": card.pk,
            "slug": card.slug,
            "title": card.title,
            "version_number": card.version_number,
        },
        "protection": protection.notice_of(card),
        "hub": _hub_part(card),
        # Reversed here, once per version, rather than on every request for the page's action links.
        "urls": {name: reverse(f"modelcards:{name}", args=[slug]) for name in CARD_PAGE_LINKS},
        "summary": render_to_string("modelcards/card_summary.html", context),
        "body": render_to_string("modelcards/card_body.html", context),
    }


def _hub_part(card: ModelCard) -> dict | None:
    """The card's Hub repository and pull request, read in the card's own query (issue 16)."""
    try:
        link = card.hub_link
    except ObjectDoesNotExist:
        return None
    return {
        "repo_id": link.repo_id,
        "revision": link.revision,
        "upstream_commit": link.upstream_commit,
        "url": hub_url(link.repo_id),
        "pr_number": link.pr_number,
        "pr_url": link.pr_url,
        "pr_state": link.pr_state,
        "check_error": link.check_error,
        "next_check_at": link.next_check_at,
    }


def _base_model_slugs(metadata: dict) -> list[str]:
    names = as_list(metadata.get("base_model"))
    return names + [n.rsplit("/", 1)[-1].lower() for n in names]


@cache_card_page()
def card_markdown(request, slug):
    card = get_object_or_404(ModelCard.objects.only("slug", "text"), slug=slug)
    return markdown_response(card.text)


def markdown_response(text: str) -> HttpResponse:
    response = HttpResponse(text.encode("utf-8"), content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="README.md"'
    return response


@cache_card_page()
def card_json(request, slug):
    card = get_object_or_404(ModelCard, slug=slug)
    return JsonResponse(
        {
            "slug": card.slug,
            "title": card.title,
            "version": card.version_number,
            "metadata": card.metadata,
            "body": card.body,
            "readme": card.text,
        },
        json_dumps_params={"ensure_ascii": False},
    )


def card_import(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not permissions.can_import(request.user):
        raise PermissionDenied("Only moderators and staff can import cards.")
    form = CardImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            card = create_card(
                slug=form.cleaned_data["slug"],
                card_file=form.cleaned_data["card_file"],
                user=request.user,
                summary=form.cleaned_data["summary"] or "Imported README.md",
                kind=CardVersion.Kind.IMPORTED,
            )
        except WorkflowError as exc:
            form.add_error("slug", str(exc))
        else:
            messages.success(request, f"Created the card “{card.title}”.")
            return redirect(card)
    return render(request, "modelcards/card_import.html", {"form": form}, status=400 if form.errors else 200)


@require_POST
def card_watch(request, slug):
    card = get_object_or_404(ModelCard.objects.only("pk", "slug"), slug=slug)
    if not request.user.is_authenticated:
        return redirect_to_login(card.get_absolute_url())
    if request.POST.get("watch") != "1":
        watchlist.unwatch(request.user, card)
        messages.success(request, "You no longer watch this card.")
        return redirect(card)
    duration = request.POST.get("duration") or Watch.Duration.FOREVER
    if duration not in Watch.Duration.values:
        return HttpResponseBadRequest("Choose how long to watch: forever, week, month or quarter.")
    watchlist.watch(request.user, card, duration=duration)
    messages.success(
        request,
        format_html(
            'You will be emailed about changes to this card, and they will show in <a href="{}">your '
            'inbox</a>. <a href="{}">Choose for how long to watch it</a>.',
            reverse("modelcards:inbox"),
            reverse("modelcards:watch_edit", args=[slug]),
        ),
    )
    return redirect(card)
