"""Model card URLs."""

from django.urls import path, register_converter

from .feeds import card_changes_feed, field_watch_feed, recent_changes_feed, watchlist_feed
from .models import CARD_SLUG_PATTERN
from .views import (
    blocks,
    cards,
    claims,
    decisions,
    discussion,
    dumps,
    editor,
    field_watches,
    history,
    hub,
    hub_import,
    inbox,
    maintainers,
    openness,
    protection,
    rename,
    review,
    reviews,
    revisions,
    rollback,
    suggestions,
    talk,
    trust,
    undo,
    visibility,
    watchlist,
)


class CardSlugConverter:
    """Card slugs may contain dots, like Hub repository names (`pythia-6.9b`)."""

    regex = CARD_SLUG_PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(CardSlugConverter, "card")

app_name = "modelcards"
urlpatterns = [
    path("", cards.home, name="home"),
    path("cards/", cards.CardListView.as_view(), name="card_list"),
    path("cards/import/", cards.card_import, name="card_import"),
    path("cards/import-mof/", claims.mot_import, name="mot_import"),
    path("cards/import-hub/", hub_import.card_import_hub, name="card_import_hub"),
    path("cards/new/suggest/", suggestions.suggest_new_card, name="suggest_new_card"),
    path("preview/", editor.editor_preview, name="editor_preview"),
    path("cards/<card:slug>.md", cards.card_markdown, name="card_markdown"),
    path("cards/<card:slug>.json", cards.card_json, name="card_json"),
    path("cards/<card:slug>/openness.json", openness.openness_json, name="openness_json"),
    path("cards/<card:slug>/openness.yaml", openness.openness_yaml, name="openness_yaml"),
    path("wanted/", openness.wanted, name="wanted"),
    path("dumps/", dumps.dumps, name="dumps"),
    path("dumps/<str:stamp>/<str:name>", dumps.dump_download, name="dump_file"),
    path("cards/<card:slug>/", cards.card_detail, name="card_detail"),
    path("cards/<card:slug>/watch/", cards.card_watch, name="card_watch"),
    path("cards/<card:slug>/rename/", rename.rename, name="card_rename"),
    path("cards/<card:slug>/suggest/", suggestions.suggest, name="suggest"),
    path("cards/<card:slug>/edit/", suggestions.card_edit, name="card_edit"),
    path("cards/<card:slug>/claims/", claims.claim_markers, name="mark_claim"),
    path("cards/<card:slug>/claims/resolve/", claims.claim_marker_resolve, name="resolve_marker"),
    path("cards/<card:slug>/talk/", talk.talk, name="talk"),
    path("cards/<card:slug>/talk/<int:pk>/", talk.talk_thread, name="talk_thread"),
    path("cards/<card:slug>/talk/<int:pk>/moderate/", talk.talk_moderate, name="talk_moderate"),
    path("cards/<card:slug>/history/", history.card_history, name="history"),
    path("cards/<card:slug>/compare/", history.compare, name="compare"),
    path("cards/<card:slug>/v/<int:n>/", history.version_detail, name="version_detail"),
    path("cards/<card:slug>/v/<int:n>.md", history.version_markdown, name="version_markdown"),
    path("cards/<card:slug>/diff/<int:a>/<int:b>/", history.diff, name="diff"),
    path(
        "cards/<card:slug>/v/<int:n>/visibility/",
        visibility.version_visibility,
        name="version_visibility",
    ),
    path("cards/<card:slug>/visibility-log/", visibility.visibility_log, name="card_visibility_log"),
    path("cards/<card:slug>/revert/<int:n>/", history.revert, name="revert"),
    path("cards/<card:slug>/undo/<int:n>/", undo.undo, name="undo"),
    path("cards/<card:slug>/restore/<int:n>/", undo.restore, name="restore"),
    path("cards/<card:slug>/rollback/", rollback.rollback, name="rollback"),
    path("cards/<card:slug>/blame/", history.blame, name="blame"),
    path("cards/<card:slug>/protection/", protection.card_protection, name="card_protection"),
    path("cards/<card:slug>/unprotect/", protection.card_unprotect, name="card_unprotect"),
    path("cards/<card:slug>/maintainers/", maintainers.card_maintainers, name="card_maintainers"),
    path("cards/<card:slug>/hub/propose/", hub.hub_propose, name="hub_propose"),
    path(
        "cards/<card:slug>/maintainers/<int:pk>/revoke/",
        maintainers.maintainer_revoke,
        name="maintainer_revoke",
    ),
    path("cards/<card:slug>/reviewed/", reviews.record_review, name="record_review"),
    path("cards/<card:slug>/feed/", card_changes_feed, name="card_feed"),
    path("changes/", history.changes, name="changes"),
    path("changes/feed/", recent_changes_feed, name="changes_feed"),
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/read/", inbox.inbox_mark_all_read, name="inbox_mark_all_read"),
    path("inbox/<int:pk>/open/", inbox.inbox_open, name="inbox_open"),
    path("watchlist/", watchlist.watchlist, name="watchlist"),
    path("watchlist/cards/<card:slug>/", watchlist.watch_edit, name="watch_edit"),
    path("watchlist/feed/", watchlist.watchlist_feed_link, name="watchlist_feed_link"),
    path("watchlist/feed/<str:token>/", watchlist_feed, name="watchlist_feed"),
    path("watchlist/fields/", field_watches.field_watch_list, name="field_watches"),
    path("watchlist/fields/feed/<str:token>/", field_watch_feed, name="field_watch_feed"),
    path("watchlist/fields/<slug:field>/unwatch/", field_watches.field_unwatch, name="field_unwatch"),
    path(
        "watchlist/fields/<slug:field>/feed-link/",
        field_watches.field_watch_feed_link,
        name="field_watch_feed_link",
    ),
    path("suggestions/", review.suggestion_list, name="suggestion_list"),
    path("suggestions/<int:pk>/", review.suggestion_detail, name="suggestion_detail"),
    path("suggestions/<int:pk>.md", review.suggestion_markdown, name="suggestion_markdown"),
    path("suggestions/<int:pk>/accept/", decisions.suggestion_accept, name="suggestion_accept"),
    path("suggestions/<int:pk>/part/", decisions.suggestion_accept_part, name="suggestion_accept_part"),
    path("suggestions/<int:pk>/reject/", decisions.suggestion_reject, name="suggestion_reject"),
    path(
        "suggestions/<int:pk>/request-changes/",
        decisions.suggestion_request_changes,
        name="suggestion_request_changes",
    ),
    path("suggestions/<int:pk>/revise/", revisions.suggestion_revise, name="suggestion_revise"),
    path(
        "suggestions/<int:pk>/revisions/<int:number>/",
        revisions.suggestion_revision,
        name="suggestion_revision",
    ),
    path("suggestions/<int:pk>/withdraw/", revisions.suggestion_withdraw, name="suggestion_withdraw"),
    path("suggestions/<int:pk>/comment/", discussion.suggestion_comment, name="suggestion_comment"),
    path("suggestions/<int:pk>/block/", decisions.block_author, name="block_author"),
    path("blocks/", blocks.block_list, name="block_list"),
    path("blocks/log/", blocks.block_log, name="block_log"),
    path("due-for-review/", reviews.due_for_review, name="due_for_review"),
    path("autoreviewed/", trust.autoreviewed, name="autoreviewed"),
    path("autoreviewed/<int:pk>/reviewed/", trust.mark_looked_over, name="mark_looked_over"),
    path("people/<str:username>/trust/", trust.person_trust, name="person_trust"),
    path("trust/log/", trust.trust_log, name="trust_log"),
    path("hidden/log/", visibility.visibility_log, name="visibility_log"),
    path("blocks/<int:pk>/unblock/", blocks.unblock, name="unblock"),
]
