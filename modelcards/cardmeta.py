"""What the metadata panel shows, derived from a card's parsed (JSON) metadata.

Works on any version's stored metadata, so an old version's page shows its panel as it was.
Everything returned is plain data: templates escape it.
"""

from dataclasses import dataclass, field

from .cardfile import as_list
from .openness.claims import SOURCE_IMPORT, describe, result_key, result_rows
from .openness.disputes import markers_by_claim
from .openness.licences import read_licence
from .openness.record import card_claim_evidence, summary_of
from .vocabularies import PIPELINE_TAGS

HUB = "https://huggingface.co"


@dataclass(frozen=True)
class ResultRow:
    model: str
    task: str
    dataset: str
    metric: str
    value: str
    verified: bool = False  # the Hub's evaluation verified it, as the card says
    source_name: str = ""
    source_url: str = ""
    asserted: str = ""  # who asserted it here, when the panel is the current card's
    self_reported: bool = False  # in the card as imported, so reported by its producer


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass
class MetadataPanel:
    licence_id: str
    licence_name: str
    licence_type: str
    licence_link: str
    languages: list[str]
    tags: list[str]
    datasets: list[Link]
    base_models: list[Link]
    library: str
    pipeline_tag: str
    pipeline_label: str
    co2: str
    results: list[ResultRow] = field(default_factory=list)
    licence_asserted: str = ""
    datasets_asserted: str = ""
    evidence: dict = field(default_factory=dict)  # claim -> CardClaimEvidence (sources, checked)
    markers: dict = field(default_factory=dict)  # claim -> disputed / citation-needed markers
    summary: str = ""  # the reviewed plain-language summary (modelcardcommons.summary), plain text

    @property
    def licence_missing(self) -> bool:
        return not self.licence_id


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return ""
    return str(value)


def _results(metadata: dict, provenance: dict) -> list[ResultRow]:
    rows = []
    for row in result_rows(metadata):
        source_url = row["source_url"] if row["source_url"].startswith(("https://", "http://")) else ""
        rows.append(
            ResultRow(
                model=_text(row["model"]),
                task=_text(row["task_name"] or row["task"]),
                dataset=_text(row["dataset"]),
                metric=_text(row["metric"]),
                value=_text(row["value"]),
                verified=row["verified"],
                source_name=_text(row["source_name"]),
                source_url=source_url,
                asserted=describe(provenance.get(result_key(row))),
                self_reported=(provenance.get(result_key(row)) or {}).get("source") == SOURCE_IMPORT,
            )
        )
    return rows


def _co2(value) -> str:
    if isinstance(value, dict):
        grams = value.get("emissions")
        if isinstance(grams, (int, float)):
            return f"{grams / 1_000_000:,.1f} t CO₂eq" if grams >= 1_000_000 else f"{grams:,} g CO₂eq"
        return ""
    if isinstance(value, (int, float)):
        return f"{value:,} g CO₂eq"
    return ""


def build_panel(
    metadata: dict, *, local_slugs: frozenset[str] = frozenset(), provenance: dict | None = None
) -> MetadataPanel:
    """`local_slugs`: base models that have a card here link to it rather than to the Hub.
    `provenance`: the current card's claim provenance, to say who asserted each claim."""
    provenance = provenance or {}
    licence_id = _text(metadata.get("license"))
    reading = read_licence(licence_id)
    licence = reading.licence
    if licence_id == "other":
        licence_name = _text(metadata.get("license_name")) or "Other licence"
        link = _text(metadata.get("license_link"))
        licence_link = link if link.startswith(("https://", "http://")) else ""
    else:
        licence_name = licence.name if licence else licence_id
        licence_link = ""
    base_models = []
    for name in as_list(metadata.get("base_model")):
        short = name.rsplit("/", 1)[-1].lower()
        if name in local_slugs or short in local_slugs:
            slug = name if name in local_slugs else short
            base_models.append(Link(name, f"/cards/{slug}/"))
        else:
            base_models.append(Link(name, f"{HUB}/{name}"))
    pipeline_tag = _text(metadata.get("pipeline_tag"))
    return MetadataPanel(
        licence_id=licence_id,
        licence_name=licence_name,
        licence_type=licence.type if licence else "unknown",
        licence_asserted=describe(provenance.get("license")),
        datasets_asserted=describe(provenance.get("datasets")),
        evidence=card_claim_evidence(metadata),
        markers={claim: tuple(found) for claim, found in markers_by_claim(metadata).items()},
        licence_link=licence_link,
        languages=as_list(metadata.get("language")),
        tags=as_list(metadata.get("tags")),
        datasets=[Link(d, f"{HUB}/datasets/{d}") for d in as_list(metadata.get("datasets"))],
        base_models=base_models,
        library=_text(metadata.get("library_name")),
        pipeline_tag=pipeline_tag,
        pipeline_label=PIPELINE_TAGS.get(pipeline_tag, pipeline_tag),
        co2=_co2(metadata.get("co2_eq_emissions")),
        results=_results(metadata, provenance),
        summary=summary_of(metadata),
    )
