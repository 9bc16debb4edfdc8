"""Upstream sync: each linked card's README on the Hub, checked and filed here as a suggestion.

One check (`check_link`) asks the Hub for the head commit of the followed branch, a single light
request; when it is the commit seen last time, that is all. When it moved, the README is fetched and
merged three ways: the base is the upstream text imported or filed last (HubLink.upstream_text),
ours is the card as it is now, theirs is the new upstream text. The result is filed as a pending
suggestion by the system account, conflicts written out between markers, so a moderator decides and
no community edit is ever overwritten. Filing and moving the link to the new upstream commit happen
in one transaction: a crash in between leaves neither.

A rejected upstream change is not filed again, because the link has moved past it. While an upstream
suggestion is still open, the next upstream change is filed as a new revision of that suggestion,
merged onto its text, so it keeps every upstream change since the card was last in step and the
moderator reviews one suggestion rather than a pile.

A failed check keeps a clear message for moderators (HubLink.check_error), counts the failure and is
not tried again before a delay that doubles with each failure (a 429's Retry-After is honoured).
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from config import generations

from ..cardfile import CardFileError, parse_card
from ..diffing import CONFLICT_END, CONFLICT_SEPARATOR, CONFLICT_START, FRONT_MATTER_MARK, MergeResult, merge3
from ..models import HubLink, ModelCard, Suggestion
from ..pagecache import card_scope
from ..workflow import WorkflowError, revise_suggestion, submit_suggestion
from . import client
from .client import HubError, RateLimited

logger = logging.getLogger(__name__)

SYSTEM_USERNAME = "hub-sync"
FIRST_RETRY = timedelta(minutes=5)
LONGEST_RETRY = timedelta(hours=24)
UNEXPECTED = "The check failed unexpectedly; the worker's log has the details. It will be tried again."
# How conflicts inside the front matter are written, where git-style markers would break the YAML.


def system_account():
    """The account upstream suggestions are filed by, made on first use; nobody can sign in as it."""
    users = get_user_model()
    account = users.objects.filter(username=SYSTEM_USERNAME).first()
    if account is not None and account.has_usable_password():
        # Someone signed up with the name before the first sync: never file in a person's name.
        raise HubError(
            f"The account name {SYSTEM_USERNAME} belongs to a person who can sign in; staff must rename "
            "that account before upstream changes can be filed."
        )
    if account is not None:
        return account
    account = users(username=SYSTEM_USERNAME, first_name="Hub sync", last_name="(automatic)")
    account.set_unusable_password()
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError:  # another worker made it first
        return users.objects.get(username=SYSTEM_USERNAME)
    return account


def retry_delay(failures: int, *, at_least: float = 0) -> timedelta:
    """How long a link waits after its `failures`-th failed check in a row."""
    delay = min(FIRST_RETRY * 2 ** max(failures - 1, 0), LONGEST_RETRY)
    return max(delay, timedelta(seconds=at_least))


def summary_for(commit: str) -> str:
    return f"Update from the Hub, commit {commit[:7]}"


@dataclass(frozen=True)
class Outcome:
    """What one check did: `unchanged`, `filed`, `revised`, `in_step` (nothing to file), `failed`."""

    kind: str
    message: str = ""
    suggestion: Suggestion | None = None


def due_links(now: datetime | None = None):
    """The links whose next check is due."""
    now = now or timezone.now()
    return HubLink.objects.filter(Q(next_check_at__isnull=True) | Q(next_check_at__lte=now)).order_by("pk")


def check_link(link_id: int) -> Outcome:
    """Check one linked card's upstream README and file what changed; a failure is recorded, not raised."""
    link = HubLink.objects.select_related("card").filter(pk=link_id).first()
    if link is None:
        return Outcome("unchanged", "The link no longer exists.")
    if link.next_check_at and link.next_check_at > timezone.now():
        return Outcome("unchanged", "Not due yet.")
    try:
        commit = client.head_commit(link.repo_id, link.revision)
        if commit == link.upstream_commit:
            _record_success(link)
            return Outcome("unchanged")
        readme = client.fetch_readme(link.repo_id, link.revision)
        outcome = _file_upstream_change(link.pk, readme.commit or commit, readme.text)
    except HubError as exc:
        return _record_failure(
            link, str(exc), retry_after=exc.retry_after if isinstance(exc, RateLimited) else 0
        )
    except WorkflowError as exc:  # a README that is not a valid card, a protected card: nothing filed
        return _record_failure(link, f"The change on the Hub was not filed: {exc}")
    except Exception:  # noqa: BLE001 - one card's bug must not stop the others; logged in full
        logger.exception("Hub sync of %s (%s) failed", link.card_id, link.repo_id)
        return _record_failure(link, UNEXPECTED)
    return outcome


def card_page_changed(card_id: int) -> None:
    """The card's page shows its link (sync errors, pull request), so it is made afresh."""
    slug = ModelCard.objects.filter(pk=card_id).values_list("slug", flat=True).first()
    if slug:
        generations.invalidate_on_commit([card_scope(slug)])


def _record_success(link) -> None:
    type(link).objects.filter(pk=link.pk).update(
        checked_at=timezone.now(), check_error="", failures=0, next_check_at=None
    )
    if link.check_error:
        card_page_changed(link.card_id)


def _record_failure(link, message: str, *, retry_after: float = 0) -> Outcome:
    failures = link.failures + 1
    now = timezone.now()
    type(link).objects.filter(pk=link.pk).update(
        checked_at=now,
        check_error=message[:300],
        failures=F("failures") + 1,
        next_check_at=now + retry_delay(failures, at_least=retry_after),
    )
    card_page_changed(link.card_id)
    logger.warning("Hub sync of %s failed: %s", link.repo_id, message)
    return Outcome("failed", message)


def _file_upstream_change(link_pk: int, commit: str, upstream_text: str) -> Outcome:
    """Merge the new upstream text into the card and file it, moving the link, in one transaction."""
    account = system_account()
    with transaction.atomic():
        link = HubLink.objects.select_related("card").get(pk=link_pk)
        card = ModelCard.objects.select_for_update().get(pk=link.card_id)  # the card first, as everywhere
        link = HubLink.objects.select_for_update().get(pk=link_pk)
        if link.upstream_commit == commit:
            return Outcome("unchanged", "Another worker got there first.")
        open_one = (
            Suggestion.objects.filter(card=card, author=account, upstream_repo=link.repo_id)
            .filter(status__in=[Suggestion.Status.PENDING, Suggestion.Status.CHANGES_REQUESTED])
            .order_by("-pk")
            .first()
        )
        ours, ours_label = (
            (open_one.text, "open upstream suggestion")
            if open_one
            else (card.text, f"current card (version {card.version_number})")
        )
        merge = merge3(link.upstream_text, ours, upstream_text)
        text = marked_text(merge, ours_label, f"Hub commit {commit[:7]}")
        summary = summary_for(commit)
        if text == ours:
            outcome = Outcome("in_step", "The card already has the upstream change.")
        elif open_one is not None:
            revise_suggestion(open_one, text=text, summary=summary, user=account)
            Suggestion.objects.filter(pk=open_one.pk).update(upstream_commit=commit)
            outcome = Outcome("revised", summary, open_one)
        else:
            filed = submit_suggestion(
                card=card,
                text=text,
                summary=summary,
                base_version=card.version_number,
                author=account,
                watch=False,
            )
            Suggestion.objects.filter(pk=filed.pk).update(upstream_repo=link.repo_id, upstream_commit=commit)
            filed.upstream_repo, filed.upstream_commit = link.repo_id, commit
            outcome = Outcome("filed", summary, filed)
        now = timezone.now()
        HubLink.objects.filter(pk=link.pk).update(
            upstream_commit=commit,
            upstream_text=upstream_text,
            checked_at=now,
            check_error="",
            failures=0,
            next_check_at=None,
        )
        card_page_changed(card.pk)
    return outcome


def marked_text(merge: MergeResult, ours_label: str, theirs_label: str) -> str:
    """The merge's text, each conflict written out for a moderator to resolve.

    In the Markdown body a conflict gets git-style markers. Inside the YAML front matter those would make
    the card unreadable, so there the conflict is written as comments: our lines stay in force, the
    upstream lines follow commented out, between commented markers. Either way nothing is lost, and
    `diffing.upstream_markers` finds what is left to resolve.
    """
    if not merge.conflicted:
        return merge.text
    plain = merge.marked(ours_label, theirs_label)
    try:
        parse_card(plain)
        return plain
    except CardFileError:
        pass
    parts: list[str] = []
    for region in merge.regions:
        if region.kind == "clean":
            parts.extend(region.lines)
            continue
        in_front_matter = _inside_front_matter("".join(parts))
        end = "\r\n" if any(line.endswith("\r\n") for line in region.ours + region.theirs) else "\n"
        lead = FRONT_MATTER_MARK if in_front_matter else ""
        parts.append(f"{lead}{CONFLICT_START} {ours_label}{end}")
        parts.extend(_closed(region.ours, end))
        parts.append(f"{lead}{CONFLICT_SEPARATOR}{end}")
        parts.extend(f"{lead}{line}" for line in _closed(region.theirs, end))
        parts.append(f"{lead}{CONFLICT_END} {theirs_label}{end}")
    return "".join(parts)


def _closed(lines, end: str) -> list[str]:
    return [line if line.endswith(("\n", "\r")) else line + end for line in lines]


def _inside_front_matter(text_so_far: str) -> bool:
    lines = text_so_far.splitlines()
    return bool(lines) and lines[0].strip() == "---" and not any(line.strip() == "---" for line in lines[1:])
