"""What the metadata panel shows, derived from a card's parsed (JSON) metadata.

Works on any version's stored metadata, so an old version's page shows its panel as it was.
Everything returned is plain data: templates escape it.
"""

from dataclasses import dataclass, field

from .models import as_list
from .vocabularies import PIPELINE_TAGS, get_licence

HUB = "https://huggingface.co"


@dataclass(frozen=True)
class ResultRow:
    model: str
    task: str
    dataset: str
    metric: str
    value: str


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

    @property
    def licence_missing(self) -> bool:
        return not self.licence_id


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return ""
    return str(value)


def _results(model_index) -> list[ResultRow]:
    rows = []
    if not isinstance(model_index, list):
        return rows
    for entry in model_index:
        if not isinstance(entry, dict):
            continue
        for result in entry.get("results") or []:
            if not isinstance(result, dict):
                continue
            task = result.get("task") if isinstance(result.get("task"), dict) else {}
            dataset = result.get("dataset") if isinstance(result.get("dataset"), dict) else {}
            for metric in result.get("metrics") or []:
                if not isinstance(metric, dict):
                    continue
                rows.append(
                    ResultRow(
                        model=_text(entry.get("name")),
                        task=_text(task.get("name") or task.get("type")),
                        dataset=_text(dataset.get("name") or dataset.get("type")),
                        metric=_text(metric.get("name") or metric.get("type")),
                        value=_text(metric.get("value")),
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


def build_panel(metadata: dict, *, local_slugs: frozenset[str] = frozenset()) -> MetadataPanel:
    """`local_slugs`: base models that have a card here link to it rather than to the Hub."""
    licence_id = _text(metadata.get("license"))
    licence = get_licence(licence_id)
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
        licence_link=licence_link,
        languages=as_list(metadata.get("language")),
        tags=as_list(metadata.get("tags")),
        datasets=[Link(d, f"{HUB}/datasets/{d}") for d in as_list(metadata.get("datasets"))],
        base_models=base_models,
        library=_text(metadata.get("library_name")),
        pipeline_tag=pipeline_tag,
        pipeline_label=PIPELINE_TAGS.get(pipeline_tag, pipeline_tag),
        co2=_co2(metadata.get("co2_eq_emissions")),
        results=_results(metadata.get("model-index")),
    )
