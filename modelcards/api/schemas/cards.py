"""Cards: a row of the list, and one card with its metadata, openness, completeness and evidence."""

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field

from .common import PageLinks


class CardRow(Schema):
    slug: str
    title: str
    license: str = Field(description="The `license` of the front matter, as written; empty when none.")
    licence_type: str = Field(
        description="permissive, copyleft, use-restricted, … or unknown (the card list's licence type)."
    )
    pipeline_tag: str
    version: int = Field(description="Number of the current version.")
    updated_at: datetime
    mof_class: int = Field(description="Model Openness Framework class reached: 1, 2 or 3; 0 for none.")
    mof_class_name: str
    mof_conditional: bool
    flags: list[str] = Field(description="Open-washing flag codes.")
    completeness: int = Field(description="Percent of the recommended sections filled.")
    url: str = Field(description="Path of the card in the API.")
    html_url: str = Field(description="Path of the card's page on the site.")


class CardList(PageLinks):
    results: list[CardRow]


class Framework(Schema):
    name: str
    version: str
    date: str


class Needed(Schema):
    components: list[str]
    label: str
    status: str


class MofClass(Schema):
    model_config = ConfigDict(populate_by_name=True)

    framework: Framework
    mof_class: int = Field(alias="class", description="1, 2 or 3; 0 for none.")
    class_name: str
    conditional: bool
    not_type_appropriate: list[str]
    progress: dict[str, float] = Field(description="Percent of each class's requirements met, by class.")
    next_class: int | None
    missing_for_next_class: list[Needed]


class Flag(Schema):
    code: str
    label: str
    explanation: str
    sentence: str | None = Field(description="The sentence of the card the flag rests on, if any.")
    relies_on: list[str]


class MissingSection(Schema):
    key: str
    label: str
    present: bool = Field(description="The heading is there but says nothing yet.")


class Completeness(Schema):
    percent: int
    missing_sections: list[MissingSection]


class Evidence(Schema):
    sources: list[str]
    asserted_by: str | None
    asserted_from: str | None
    asserted_in_version: int | None
    asserted_at: str | None
    last_checked: str | None


class ResultSource(Schema):
    name: str | None
    url: str | None


class EvalResult(Evidence):
    model: Any
    task: Any
    dataset: Any
    config: Any
    split: Any
    metric: Any
    value: Any = Field(description="As the card gives it; the Hub takes any value.")
    verified: bool
    source: ResultSource
    self_reported: bool


class Dispute(Schema):
    claim: str
    claim_label: str
    claim_present: bool
    kind: str
    reason: str
    by: str
    opened: str
    discussion: str | None


class Component(Schema):
    name: str
    content_type: str
    required_from_class: int | None
    recorded: bool
    availability: str | None
    license: str | None
    license_as_written: str | None
    license_recognised: bool | None
    license_suggestion: str | None
    license_from: str | None
    licence_type: str | None
    link: str | None
    license_link: str | None
    verdict: str
    counts: bool
    evidence: Evidence | None


class Record(Schema):
    data_information: str
    components: dict[str, Component]


class Openness(Schema):
    """As the card page and its openness.json export show it, from what was stored with the version."""

    mof: MofClass
    flags: list[Flag]
    licence_lineage: list[dict[str, Any]] = Field(
        description="Base models on this site, nearest first, with their licences."
    )
    completeness: Completeness
    claims: dict[str, Evidence] = Field(description="Who asserted the licence and datasets, and on what.")
    eval_results: list[EvalResult]
    disputes: list[Dispute] = Field(description="Open markers on the card's claims.")
    openness: Record


class CardLinks(Schema):
    html: str
    readme: str
    versions: str
    history: str
    discussions: str
    suggestions: str


class CardDetail(Schema):
    slug: str
    title: str
    version: int
    license: str
    licence_type: str
    pipeline_tag: str
    tags: list[str]
    size: int = Field(description="Bytes of the README.md.")
    created_at: datetime
    updated_at: datetime
    metadata: dict[str, Any] = Field(description="The README.md's YAML front matter.")
    openness: Openness
    links: CardLinks
