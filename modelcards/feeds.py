"""Atom feeds: recent changes for the whole site and for one card, each person's private watchlist and
field watches."""

import uuid

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from .governance import visibility
from .history import FEED_SIZE, activity_subject, activity_url, visible_activity
from .models import ModelCard
from .notifications import field_watches, watchlist
from .pagecache import cache_card_page, cache_site_page

# Entry ids must be unique and never change; several entries can link to the same page (a
# suggestion filed, then accepted), so the id is derived from the activity row instead.
_ENTRY_NAMESPACE = uuid.UUID("6f1d3c52-3f7e-4b8e-9a51-2d0c5b7e8a10")


class RecentChangesFeed(Feed):
    feed_type = Atom1Feed
    title = "Model Card Commons: recent changes"
    subtitle = "New versions, suggestions and decisions on every card."

    def link(self):
        return reverse("modelcards:changes")

    def items(self):
        return visibility.mask_activity(visible_activity()[:FEED_SIZE])

    def item_title(self, item):
        # Atom titles are plain text (the framework XML-escapes them), so no HTML escaping here.
        return f"{activity_subject(item)}: {item.get_kind_display().lower()}"

    def item_description(self, item):
        # Atom summaries are declared type="html"; escaping keeps a summary's "<" as text in readers.
        if "summary" in item.withheld:
            return "(summary hidden)"
        return escape(item.summary or item.get_kind_display())

    def item_link(self, item):
        return activity_url(item)

    def item_guid(self, item):
        return uuid.uuid5(_ENTRY_NAMESPACE, f"activity-{item.pk}").urn

    def item_author_name(self, item):
        return "(author hidden)" if "author" in item.withheld else item.actor_display

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.created_at


class CardChangesFeed(RecentChangesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(ModelCard.objects.only("pk", "slug", "title"), slug=slug)

    def title(self, card):
        return f"{card.title or card.slug}: changes on Model Card Commons"

    def subtitle(self, card):
        return f"New versions, suggestions and decisions on the card “{card.title or card.slug}”."

    def link(self, card):
        return reverse("modelcards:history", args=[card.slug])

    def items(self, card):
        return visibility.mask_activity(visible_activity().filter(card=card)[:FEED_SIZE])


recent_changes_feed = cache_site_page()(RecentChangesFeed())
card_changes_feed = cache_card_page()(CardChangesFeed())


class WatchlistFeed(Feed):
    """A person's watchlist as a feed, at an address holding a secret: feed readers cannot log in.

    Never cached for others (it is personal) and a wrong secret is a 404 like any unknown page.
    """

    feed_type = Atom1Feed
    title = "Your watchlist on Model Card Commons"
    subtitle = "New versions of the cards you watch."

    def get_object(self, request, token):
        owner = watchlist.feed_owner(token)
        if owner is None:
            raise Http404("No such feed.")
        return owner

    def link(self, owner):
        return reverse("modelcards:watchlist")

    def items(self, owner):
        # Read at the public level: a feed reader is no one in particular (issue 15 item 4).
        return watchlist.recent_versions(owner)[:FEED_SIZE]

    def item_title(self, item):
        return f"{item.card.title or item.card.slug}: version {item.number}"

    def item_description(self, item):
        return escape(visibility.summary_shown(item) or item.get_kind_display())

    def item_link(self, item):
        if item.number > 1:
            return reverse("modelcards:diff", args=[item.card.slug, item.number - 1, item.number])
        return reverse("modelcards:version_detail", args=[item.card.slug, item.number])

    def item_guid(self, item):
        return uuid.uuid5(_ENTRY_NAMESPACE, f"version-{item.pk}").urn

    def item_author_name(self, item):
        return visibility.author_shown(item)

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.created_at


def watchlist_feed(request, token):
    response = WatchlistFeed()(request, token=token)
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


class FieldWatchFeed(Feed):
    """One field watch as a feed: the latest changes of its field on any card, at a secret address.

    Its entries are the watch owner's inbox entries for the field
    (modelcards/notifications/field_watches.py), so reading it diffs nothing; the version's summary
    and author are read live at the public level.
    """

    feed_type = Atom1Feed

    def get_object(self, request, token):
        watch = field_watches.watch_for_token(token)
        if watch is None:
            raise Http404("No such feed.")
        return watch

    def title(self, watch):
        return f"{field_watches.label(watch.field)} on every card: Model Card Commons"

    def subtitle(self, watch):
        return f"Changes to the field {field_watches.label(watch.field)} on any card, newest first."

    def link(self, watch):
        return reverse("modelcards:field_watches")

    def items(self, watch):
        return field_watches.feed_entries(watch, FEED_SIZE)

    def item_title(self, item):
        return f"{item.subject}: {field_watches.label(item.place)} {item.excerpt or 'changed'}"

    def item_description(self, item):
        values = item.excerpt or "(values hidden)"
        return escape(f"{values} (version {item.version.number}: {visibility.summary_shown(item.version)})")

    def item_link(self, item):
        return item.target_url()

    def item_guid(self, item):
        return uuid.uuid5(_ENTRY_NAMESPACE, f"field-{item.place}-version-{item.version_id}").urn

    def item_author_name(self, item):
        return visibility.author_shown(item.version)

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.created_at


def field_watch_feed(request, token):
    response = FieldWatchFeed()(request, token=token)
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
