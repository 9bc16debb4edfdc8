"""A card's talk threads and their comments."""

from datetime import datetime

from ninja import Schema
from pydantic import Field

from .common import PageLinks, Person
from .suggestions import Comment


class ThreadRow(Schema):
    id: int
    title: str
    author: Person
    closed: bool
    hidden: bool = Field(description="Hidden by a moderator: shown only to moderators' moderate tokens.")
    created_at: datetime
    comment_count: int = Field(description="Comments the caller may see.")
    last_comment_at: datetime | None
    url: str
    html_url: str


class ThreadList(PageLinks):
    results: list[ThreadRow]


class ThreadDetail(Schema):
    thread: ThreadRow
    comments: list[Comment] = Field(description="A page of the thread's comments, oldest first.")
    next_cursor: str | None
    next: str | None
