"""Suggestions: rows of the list, one suggestion, its discussion, and what filing one takes."""

from datetime import datetime

from ninja import Schema
from pydantic import ConfigDict, Field, model_validator

from .common import PageLinks, Person


class SuggestionRow(Schema):
    id: int
    card: str | None = Field(description="Slug of the card, or null for a proposed new card.")
    new_card_slug: str | None = Field(description="Slug proposed for a new card.")
    status: str = Field(
        description="pending, changes_requested, accepted, partly_accepted, rejected or withdrawn."
    )
    held: bool = Field(description="Waiting for a moderator's look before anyone else sees it.")
    summary: str | None = Field(description="Null when the moderators hid the summary of its version.")
    author: Person | None = Field(description="Null when the moderators hid the author of its version.")
    hidden: list[str] = Field(
        description="Parts of the version it became that the moderators hid: text, summary, author."
    )
    base_version: int
    section: int | None
    revision: int
    created_at: datetime
    updated_at: datetime
    decided_at: datetime | None
    url: str
    html_url: str


class SuggestionList(PageLinks):
    results: list[SuggestionRow]


class SuggestionDetail(SuggestionRow):
    text: str | None = Field(
        description="The suggested README.md, whole (a section suggestion is applied to it); null when the "
        "moderators hid the text of the version it became."
    )
    moderator: Person | None
    note: str = Field(description="The moderator's note on the decision or request for changes.")
    version: int | None = Field(description="The card version an accepted suggestion became.")
    comments: str = Field(description="Path of its discussion.")


class SuggestionCreated(SuggestionDetail):
    access_token: str | None = Field(
        description="For a suggestion filed without an account: its private key, shown only now. Pass it "
        "as `?token=` to see the suggestion while it is held, and on the site to follow or withdraw it."
    )


class SuggestionCreate(Schema):
    """A suggestion on a card (`card` and `base_version`) or a new card (`new_card_slug`)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    card: str | None = Field(None, description="Slug of the card to change.")
    new_card_slug: str | None = Field(None, description="Slug for a proposed new card, instead of `card`.")
    base_version: int | None = Field(
        None, ge=1, description="The card version your text was written against (required with `card`)."
    )
    section: int | None = Field(
        None, ge=1, description="Number of the section `text` replaces; leave out for the whole README.md."
    )
    text: str = Field(description="The README.md (or the section's text), at most MAX_CARD_BYTES in UTF-8.")
    summary: str = Field(description="One line: what changed and why.")
    author_name: str | None = Field(None, description="Without a token: the name to show, else anonymous.")
    watch: bool | None = Field(None, description="With a token: watch the card (default: yes).")

    @model_validator(mode="after")
    def _one_target(self):
        if (self.card is None) == (self.new_card_slug is None):
            raise ValueError("Give either `card` (with `base_version`) or `new_card_slug`, not both.")
        if self.card is not None and self.base_version is None:
            raise ValueError("`base_version` is required with `card`.")
        if self.new_card_slug is not None and (self.base_version is not None or self.section is not None):
            raise ValueError("A new card has no `base_version` or `section`.")
        return self


class Comment(Schema):
    id: int
    author: Person
    body: str = Field(description="Markdown, as written.")
    created_at: datetime
    hidden: bool = Field(description="Hidden by a moderator: shown only to moderators' moderate tokens.")
    line: dict | None = Field(
        description="A comment on one line of the diff: its revision, side (old or new) and line."
    )


class CommentList(PageLinks):
    results: list[Comment]
