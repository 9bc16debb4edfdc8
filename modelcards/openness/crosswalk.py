"""Between our openness record and the Model Openness Tool's model files (lfai/model_openness_tool,
models/*.yml, schema/mof_schema.json).

Reading: a tool file's `release.license` becomes the record's licence defaults and each listed
component becomes a released component with its licence, `license_path` and `component_path`. The
tool counts every listed component as included, so listing is releasing. Files in the tool's format
before April 2025 (`license_name`, `location`, all seventeen components listed) are read as the tool's
own migration (commit a074588) read them: "Component not included" and "Pending evaluation" drop the
component, "License not specified" means no licence, `location` is the component's link.

Writing: only released components are listed, each with the licence that applies to it spelled as
the tool spells it, so that the tool's code, given our file, reaches the class our page shows.
"""

import datetime
import re
from dataclasses import dataclass, field

import yaml

from .licences import UNLICENSED, read_licence
from .mof import COMPONENTS_BY_KEY, COMPONENTS_BY_NAME
from .record import DEFAULT_KEYS, NAMESPACE, RECORD, component_claims, default_licences, is_http_url

FRAMEWORK = {"name": "Model Openness Framework", "version": "1.0", "date": "2024-12-15"}
MAX_FILE_BYTES = 256 * 1024
MAX_TEXT = 2000
MAX_COMPONENTS = 17
_NOT_INCLUDED = re.compile(r"\A\s*(?:(?:component\s+)*not\s+includ|pending\s+evaluation)", re.IGNORECASE)
_NO_LICENCE = ("license not specified", "")

# The tool's `type` for a release, from a card's Hub task.
RELEASE_TYPES = {
    "text-generation": "language",
    "text2text-generation": "language",
    "fill-mask": "language",
    "text-classification": "language",
    "token-classification": "language",
    "question-answering": "language",
    "summarization": "language",
    "translation": "language",
    "feature-extraction": "language",
    "automatic-speech-recognition": "audio",
    "text-to-speech": "audio",
    "text-to-audio": "audio",
    "audio-classification": "audio",
    "text-to-image": "image",
    "image-to-image": "image",
    "unconditional-image-generation": "image",
    "image-classification": "vision",
    "object-detection": "vision",
    "image-segmentation": "vision",
    "text-to-video": "video",
    "image-text-to-text": "multimodal",
    "visual-question-answering": "multimodal",
}


class MotFileError(ValueError):
    """A tool file we cannot read; the message names the place."""


class _UniqueKeyLoader(yaml.SafeLoader):
    """Refuses a mapping that gives one key twice: YAML would silently keep the last."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                duplicate = key in seen
            except TypeError:
                raise MotFileError(f"line {key_node.start_mark.line + 1}: a key that is not text") from None
            if duplicate:
                raise MotFileError(f"line {key_node.start_mark.line + 1}: `{key}` is given twice")
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


@dataclass
class MotRelease:
    """What a tool file says: the release's facts, and our openness record built from it."""

    name: str
    facts: dict  # version, date, producer, type, architecture, origin, repository, huggingface
    record: dict
    notes: list[str] = field(default_factory=list)  # what was left out, and why


def read_mot_file(data: bytes) -> MotRelease:
    """Parse one tool model file; raises MotFileError naming the place of the first problem."""
    if len(data) > MAX_FILE_BYTES:
        raise MotFileError(f"the file is {len(data):,} bytes; a model file is at most {MAX_FILE_BYTES:,}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MotFileError(f"byte {exc.start}: the file is not UTF-8 text") from None
    try:
        document = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except MotFileError:
        raise
    except yaml.MarkedYAMLError as exc:
        where = f"line {exc.problem_mark.line + 1}: " if exc.problem_mark else ""
        raise MotFileError(f"{where}not valid YAML ({exc.problem})") from None
    except (yaml.YAMLError, RecursionError):
        raise MotFileError("not valid YAML, or nested too deeply") from None
    return read_mot_document(document)


def _need(mapping, key: str, where: str, kind, *, required: bool = True):
    value = mapping.get(key)
    if value is None:
        if required:
            raise MotFileError(f"{where}.{key}: is required")
        return None
    if not isinstance(value, kind):
        wanted = {dict: "a mapping", list: "a list", str: "text"}.get(kind, "text")
        raise MotFileError(f"{where}.{key}: must be {wanted}, not {type(value).__name__}")
    if isinstance(value, str) and len(value) > MAX_TEXT:
        raise MotFileError(f"{where}.{key}: is {len(value):,} characters; at most {MAX_TEXT:,}")
    return value


def _scalar(mapping: dict, key: str, where: str) -> str:
    value = mapping.get(key)
    if value is None:
        return ""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()[:10]
    if isinstance(value, (dict, list)):
        raise MotFileError(f"{where}.{key}: must be text, not {type(value).__name__}")
    value = str(value)
    if len(value) > MAX_TEXT:
        raise MotFileError(f"{where}.{key}: is {len(value):,} characters; at most {MAX_TEXT:,}")
    return value.strip()


def read_mot_document(document) -> MotRelease:
    if not isinstance(document, dict):
        raise MotFileError("the file must be a mapping with `framework:` and `release:`")
    release = _need(document, "release", "file", dict)
    name = _scalar(release, "name", "release")
    if not name:
        raise MotFileError("release.name: is required")
    facts = {
        key: _scalar(release, key, "release")
        for key in (
            "version",
            "date",
            "producer",
            "type",
            "architecture",
            "origin",
            "repository",
            "huggingface",
        )
    }
    notes: list[str] = []
    record: dict = {}
    defaults = _read_defaults(release, notes)
    if defaults:
        record["licenses"] = defaults
    components = _need(release, "components", "release", list, required=False) or []
    if len(components) > MAX_COMPONENTS:
        raise MotFileError(
            f"release.components: lists {len(components):,}; the framework has {MAX_COMPONENTS}"
        )
    entries: dict = {}
    for index, item in enumerate(components):
        where = f"release.components[{index}]"
        if not isinstance(item, dict):
            raise MotFileError(f"{where}: must be a mapping with `name:`, not {type(item).__name__}")
        component_name = _scalar(item, "name", where)
        component = COMPONENTS_BY_NAME.get(component_name)
        if component is None:
            known = ", ".join(sorted(COMPONENTS_BY_NAME))
            raise MotFileError(
                f"{where}.name: '{component_name[:80]}' is not a framework component ({known})"
            )
        if component.key in entries:
            raise MotFileError(f"{where}.name: '{component_name}' is listed twice")
        entry = _read_component(item, where, notes)
        if entry is not None:
            entries[component.key] = entry
    if entries:
        _no_licence_is_unlicensed(entries, defaults)
        record["components"] = {key: entries[key] for key in COMPONENTS_BY_KEY if key in entries}
    return MotRelease(name=name, facts=facts, record=record, notes=notes)


def _no_licence_is_unlicensed(entries: dict, defaults: dict) -> None:
    """A listed component whose licence the file leaves to defaults it does not give is unlicensed to
    the tool; said explicitly, so that a card's own `license:` does not fill the gap on import."""
    for key, entry in entries.items():
        if "license" in entry:
            continue
        content_type = COMPONENTS_BY_KEY[key].content_type
        if content_type not in defaults and "distribution" not in defaults:
            entry["license"] = UNLICENSED


def _read_defaults(release: dict, notes: list[str]) -> dict:
    licence = release.get("license")
    if licence is None or licence == {}:
        return {}
    if not isinstance(licence, dict):
        raise MotFileError(
            "release.license: must be a mapping such as `distribution: {name: MIT}`, "
            f"not {type(licence).__name__}"
        )
    defaults = {}
    for key, value in licence.items():
        where = f"release.license.{key}"
        if key not in DEFAULT_KEYS:
            notes.append(f"{where} left out: not one of {', '.join(DEFAULT_KEYS)}")
            continue
        if value is None:
            continue
        if not isinstance(value, dict):
            raise MotFileError(
                f"{where}: must be a mapping with `name:` and `path:`, not {type(value).__name__}"
            )
        name = _scalar(value, "name", where)
        path = _scalar(value, "path", where)
        if not name or name == "0":  # the tool skips an empty name (PHP's empty() is true for "0")
            continue
        if path and is_http_url(path):
            defaults[key] = {"license": name, "license_link": path}
        else:
            if path:
                notes.append(f"{where}.path left out: '{path[:80]}' is not an http(s) URL")
            defaults[key] = name
    return defaults


def _read_component(item: dict, where: str, notes: list[str]) -> dict | None:
    legacy = "license_name" in item or "location" in item
    entry: dict = {"availability": "open"}
    if legacy:
        licence = _scalar(item, "license_name", where)
        if _NOT_INCLUDED.match(licence):
            return None
        entry["license"] = UNLICENSED if licence.casefold() in _NO_LICENCE else licence
        link = _scalar(item, "location", where)
    else:
        if "license" in item and item["license"] is not None:
            licence = _scalar(item, "license", where)
            entry["license"] = licence or UNLICENSED
        link = _scalar(item, "component_path", where)
    licence_link = _scalar(item, "license_path", where)
    for key, value in (("link", link), ("license_link", licence_link)):
        if not value:
            continue
        if is_http_url(value):
            entry[key] = value
        else:
            source = {"link": "component_path", "license_link": "license_path"}[key]
            notes.append(f"{where}.{source} left out: '{value[:80]}' is not an http(s) URL")
    return entry


def record_for_card(metadata: dict, record: dict) -> dict:
    """The card's `modelcardcommons` mapping with `record` from a tool file merged into its record.

    The tool's file decides which components are released and under which licences. What it cannot
    say is kept: the data note, components recorded as partial, closed or unknown, and each
    component's sources and checked date.
    """
    namespace = metadata.get(NAMESPACE) if isinstance(metadata.get(NAMESPACE), dict) else {}
    old = namespace.get(RECORD) if isinstance(namespace.get(RECORD), dict) else {}
    merged = {key: value for key, value in old.items() if key not in ("licenses", "components")}
    if record.get("licenses"):
        merged["licenses"] = record["licenses"]
    old_components = old.get("components") if isinstance(old.get("components"), dict) else {}
    components = {}
    for key, entry in old_components.items():
        if isinstance(entry, dict) and entry.get("availability") in ("partial", "closed", "unknown"):
            components[key] = entry
    for key, entry in record.get("components", {}).items():
        before = old_components.get(key) if isinstance(old_components.get(key), dict) else {}
        # Sources and a checked date still back the claim only if the file claims the same licence.
        same = before.get("license") == entry.get("license")
        kept = {k: before[k] for k in ("evidence", "checked") if k in before} if same else {}
        components[key] = {**entry, **kept}
    if components:
        merged["components"] = {key: components[key] for key in COMPONENTS_BY_KEY if key in components}
    return {**namespace, RECORD: merged}


# Writing ---------------------------------------------------------------------------------------


def mot_release(metadata: dict, *, name: str, date: str, pipeline_tag: str = "") -> dict:
    """The card's openness record as a tool model file (current schema)."""
    claims = component_claims(metadata)
    components = []
    for claim in claims:
        if not claim.released:
            continue
        item = {"name": claim.component.name, "description": claim.component.description}
        reading = claim.licence
        item["license"] = reading.mot_id(claim.component.content_type) if reading else UNLICENSED
        if claim.licence_link:
            item["license_path"] = claim.licence_link
        if claim.link:
            item["component_path"] = claim.link
        components.append(item)
    licence: dict = {}
    for key, (text, link) in default_licences(metadata).items():
        reading = read_licence(text)
        licence[key] = {
            "name": reading.mot_id("document" if key == "distribution" else key),
            "path": link or None,
        }
    top = metadata.get("license")
    if "distribution" not in licence and isinstance(top, str) and top.strip():
        link = metadata.get("license_link")
        link = link if isinstance(link, str) and is_http_url(link) else None
        licence["distribution"] = {"name": read_licence(top).canonical, "path": link}
    base_models = metadata.get("base_model")
    origin = base_models[0] if isinstance(base_models, list) and base_models else base_models
    return {
        "framework": dict(FRAMEWORK),
        "release": {
            "name": name,
            "version": "",
            "date": date,
            "license": licence,
            "type": RELEASE_TYPES.get(pipeline_tag, ""),
            "architecture": "",
            "origin": origin if isinstance(origin, str) else "",
            "producer": "",
            "contact": "",
            "components": components,
        },
    }
