"""Proposing back: the changes accepted here since the card was last in step, as a Hub pull request.

A moderator opens the proposal page, sees the diff from the upstream README to the current card and
the description, and clicks to send; nothing is sent otherwise. It is one commit replacing README.md,
made on top of the upstream commit the sync last saw (parent_commit), as a Community pull request
(create_pr=True), so the repository's owners decide. The description names the versions and the
people who wrote them. While the pull request is open or a draft, the periodic sync refreshes its
state (open, merged, closed) for the card's page, and no second one is sent.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from .. import permissions
from ..diffing import TextDiff, cached_diff_texts
from ..governance import visibility
from ..models import CardVersion, HubLink, ModelCard
from ..workflow import WorkflowError
from . import client
from .sync import SYSTEM_USERNAME, card_page_changed

OPEN_STATES = frozenset({"open", "draft"})
KNOWN_STATES = frozenset({"open", "draft", "merged", "closed"})


class NothingToPropose(WorkflowError):
    """The card says what the Hub says already."""


class ProposalOpen(WorkflowError):
    """A pull request from this site is still open for the card."""


class ProposalMoved(WorkflowError):
    """The card or its upstream changed after the moderator looked at the proposal."""


@dataclass(frozen=True)
class Proposal:
    """What proposing back would send, shown to the moderator before they click."""

    link: HubLink
    card: ModelCard
    versions: tuple[CardVersion, ...]
    contributors: tuple[str, ...]
    diff: TextDiff
    title: str
    description: str

    @property
    def first_version(self) -> int:
        return self.versions[0].number if self.versions else self.card.version_number


def since_version(link: HubLink) -> int:
    """The last version at which the card and the Hub were known to agree: the last one proposed, or the
    last one imported from the Hub. An accepted upstream suggestion does not count: it merges the Hub's
    change into the card, whose own changes still wait to be proposed."""
    imported = (
        link.card.versions.exclude(upstream_commit="")
        .exclude(author__username=SYSTEM_USERNAME)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return max(link.proposed_version, imported or 0)


def prepare_proposal(card: ModelCard) -> Proposal:
    """The pull request proposing `card`'s changes back; nothing is saved or sent."""
    link = HubLink.objects.select_related("card").get(card=card)
    card = link.card
    if link.pr_number and link.pr_state in OPEN_STATES:
        raise ProposalOpen(
            f"Pull request #{link.pr_number} on the Hub is still {link.pr_state}; wait until it is merged or "
            "closed before proposing again."
        )
    if card.text == link.upstream_text:
        raise NothingToPropose("The card says what the README on the Hub says; there is nothing to propose.")
    versions = tuple(
        card.versions.with_people()
        .filter(number__gt=since_version(link))
        .exclude(author__username=SYSTEM_USERNAME)
        .order_by("number")
    )
    # The description is public on the Hub: hidden summaries and names (issue 15 item 4) stay out of it.
    contributors = tuple(
        dict.fromkeys(version.author_display for version in versions if visibility.shows(version, "author"))
    )
    title = f"Update the model card from Model Card Commons (version {card.version_number})"
    return Proposal(
        link=link,
        card=card,
        versions=versions,
        contributors=contributors,
        diff=cached_diff_texts(link.upstream_text, card.text),
        title=title,
        description=_description(card, link, versions, contributors),
    )


def _description(card, link, versions, contributors) -> str:
    site = settings.SITE_URL.rstrip("/")
    lines = [
        f"This pull request brings the changes accepted on Model Card Commons since commit "
        f"{link.upstream_commit[:7]} into this README.md, as reviewed there by its moderators.",
        "",
        f"Card: {site}{card.get_absolute_url()}",
        "",
    ]
    if versions:
        lines.append("Versions:")
        for version in versions:
            summary = f": {visibility.summary_shown(version)}" if version.summary else ""
            lines.append(f"- version {version.number} by {visibility.author_shown(version)}{summary}")
        lines.append("")
    if contributors:
        lines.append(f"Contributors: {', '.join(contributors)}")
    return "\n".join(lines).strip() + "\n"


def propose_back(card: ModelCard, *, moderator, seen_version: int) -> HubLink:
    """Send the card's changes to the Hub as a pull request, by a moderator's click; returns the link.

    `seen_version` is the version the moderator was shown, so a card that moved on meanwhile is shown
    again rather than sent unseen. Needs HUB_TOKEN with write access; every refusal is a HubError.
    """
    if not permissions.can_review(moderator):
        raise PermissionDenied("Only moderators can propose changes to the Hub.")
    proposal = prepare_proposal(card)
    link = proposal.link
    if proposal.card.version_number != seen_version:
        raise ProposalMoved(
            f"The card changed while you looked (it is now at version {proposal.card.version_number}); "
            "check the proposal again."
        )
    from huggingface_hub import CommitOperationAdd

    hub = client.write_api()
    with client.translate_errors(repo_id=link.repo_id, write=True):
        info = hub.create_commit(
            repo_id=link.repo_id,
            repo_type="model",
            operations=[
                CommitOperationAdd(path_in_repo=client.README, path_or_fileobj=proposal.card.text.encode())
            ],
            commit_message=proposal.title,
            commit_description=proposal.description,
            revision=link.revision,
            parent_commit=link.upstream_commit or None,
            create_pr=True,
        )
    with transaction.atomic():
        HubLink.objects.filter(pk=link.pk).update(
            proposed_version=proposal.card.version_number,
            pr_number=info.pr_num,
            pr_url=info.pr_url or "",
            pr_state="open",
            pr_checked_at=timezone.now(),
        )
        card_page_changed(link.card_id)
    link.refresh_from_db()
    return link


def refresh_pull_request(link_id: int) -> str:
    """Ask the Hub for an open pull request's state and keep it; a failure keeps the state last seen."""
    link = HubLink.objects.filter(pk=link_id).first()
    if link is None or not link.pr_number or link.pr_state not in OPEN_STATES:
        return link.pr_state if link else ""
    try:
        with client.translate_errors(repo_id=link.repo_id):
            details = client.api().get_discussion_details(
                repo_id=link.repo_id, discussion_num=link.pr_number, repo_type="model"
            )
    except client.HubError:
        return link.pr_state  # tried again on the next run; the upstream check reports lasting faults
    state = details.status if details.status in KNOWN_STATES else link.pr_state
    HubLink.objects.filter(pk=link.pk).update(pr_state=state, pr_checked_at=timezone.now())
    if state != link.pr_state:
        card_page_changed(link.card_id)
    return state
