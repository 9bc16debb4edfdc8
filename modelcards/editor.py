"""The card editor's two modes over one README.md: guided metadata fields beside the Markdown body,
or the raw file. The browser posts whichever mode it shows; the server composes the README.md."""

import re
from dataclasses import dataclass, field

from django import forms
from django.http import QueryDict
from django.template.loader import render_to_string

from . import checklist, history
from .cardfile import (
    CardFileError,
    Problem,
    metadata_for_editing,
    normalise_newlines,
    parse_card,
    replace_body,
    set_metadata_values,
)
from .metadata_diff import MetadataDiff, diff_metadata
from .models import ModelCard
from .openness.mof import COMPONENTS, COMPONENTS_BY_KEY
from .openness.record import (
    AVAILABILITIES,
    MAX_DATA_INFORMATION,
    MAX_SUMMARY_CHARS,
    NAMESPACE,
    RECORD,
    SUMMARY,
    record_of,
    summary_of,
)
from .readability import hint as readability_hint
from .rendering import MarkdownRefused, render_markdown, renderable_problem
from .vocabularies import LICENCES, PIPELINE_TAGS

MODES = ("guided", "raw")

# The metadata keys guided mode offers, and whether each holds one value or a list of them.
TEXT_KEYS = ("license", "license_name", "license_link", "pipeline_tag", "library_name")
LIST_KEYS = ("language", "tags", "datasets", "base_model")
GUIDED_KEYS = TEXT_KEYS + LIST_KEYS

_LIST_SEPARATOR = re.compile(r"\s*,\s*")

# The hidden field naming the card an editor edits, so a preview can say what the metadata change does.
CARD_FIELD = "editor_card"

# The openness record's fields: four per Model Openness Framework component, plus the data note.
# `oc_present` marks a post that carried them, so a client that never showed them cannot erase it.
OPENNESS_PARTS = ("availability", "license", "link", "evidence")
OPENNESS_PRESENT = "oc_present"
OPENNESS_DATA = "oc_data_information"


def openness_field(component_key: str, part: str) -> str:
    return f"oc_{component_key}_{part}"


OPENNESS_KEYS = (
    *(openness_field(component.key, part) for component in COMPONENTS for part in OPENNESS_PARTS),
    OPENNESS_DATA,
)

# The plain-language summary (`modelcardcommons.summary`). Not called `summary`: that is the one-line
# description of the edit that every suggestion form has.
SUMMARY_FIELD = "plain_summary"


def openness_values(metadata: dict) -> dict:
    """Each openness field's text for this metadata ("" where the record says nothing)."""
    record = record_of(metadata) or {}
    components = record.get("components") if isinstance(record.get("components"), dict) else {}
    values = {}
    for component in COMPONENTS:
        entry = components.get(component.key)
        entry = entry if isinstance(entry, dict) else {}
        for part in OPENNESS_PARTS:
            value = entry.get(part)
            if isinstance(value, list):  # several evidence links, one per space
                value = " ".join(str(item) for item in value if item is not None)
            values[openness_field(component.key, part)] = "" if value is None else str(value)
    note = record.get("data_information")
    values[OPENNESS_DATA] = note if isinstance(note, str) else ""
    return values


def _openness_change(metadata: dict, fields: dict):
    """The new `modelcardcommons` mapping if the posted openness fields differ, else `_UNCHANGED`."""
    if not fields.get(OPENNESS_PRESENT):
        return _UNCHANGED
    current = openness_values(metadata)
    posted = {key: (fields.get(key) or "").strip() for key in OPENNESS_KEYS}
    if all(posted[key] == current[key].strip() for key in OPENNESS_KEYS):
        return _UNCHANGED
    record = dict(record_of(metadata) or {})
    existing = record.get("components") if isinstance(record.get("components"), dict) else {}
    components = {key: entry for key, entry in existing.items() if key not in COMPONENTS_BY_KEY}
    for component in COMPONENTS:
        old = existing.get(component.key)
        # Fields the table does not show (licence link, checked date) are kept as they were.
        entry = {k: v for k, v in old.items() if k not in OPENNESS_PARTS} if isinstance(old, dict) else {}
        for part in OPENNESS_PARTS:
            if value := posted[openness_field(component.key, part)]:
                entry[part] = _evidence_value(value) if part == "evidence" else value
        if entry:
            components[component.key] = entry
    record.pop("data_information", None)
    record.pop("components", None)
    if posted[OPENNESS_DATA]:
        record["data_information"] = normalise_newlines(posted[OPENNESS_DATA])
    if components:
        record["components"] = components
    namespace = metadata.get(NAMESPACE)
    namespace = dict(namespace) if isinstance(namespace, dict) else {}
    if record:
        namespace[RECORD] = record
    else:
        namespace.pop(RECORD, None)
    return namespace or None


_UNCHANGED = object()


def _namespace_change(metadata: dict, fields: dict):
    """The new `modelcardcommons` mapping after the openness fields and the summary, or `_UNCHANGED`."""
    namespace = _openness_change(metadata, fields)
    summary = normalise_newlines(fields.get(SUMMARY_FIELD) or "").strip()
    if SUMMARY_FIELD not in fields or summary == summary_of(metadata):
        return namespace
    if namespace is _UNCHANGED:
        current = metadata.get(NAMESPACE)
        namespace = dict(current) if isinstance(current, dict) else {}
    namespace = dict(namespace or {})
    namespace.pop(SUMMARY, None)
    # First in the mapping, as it is first on the card's page.
    return {SUMMARY: summary, **namespace} if summary else (namespace or None)


def _evidence_value(text: str):
    """One link as text, several (separated by spaces or commas) as a list."""
    links = [link for link in re.split(r"[\s,]+", text) if link]
    return links[0] if len(links) == 1 else links


class GuidedUnavailable(ValueError):
    """The README.md's front matter cannot be read, so only raw mode can edit it."""


def display_value(key: str, value) -> str:
    """How a metadata value appears in its guided field: lists as comma-separated text."""
    if value is None:
        return ""
    if key in LIST_KEYS:
        items = value if isinstance(value, list) else [value]
        return ", ".join("" if item is None else str(item) for item in items)
    return str(value)


def _typed_value(key: str, shown: str):
    """The value a guided field's text stands for; None (remove the key) when it is empty."""
    shown = shown.strip()
    if key in LIST_KEYS:
        items = [item for item in _LIST_SEPARATOR.split(shown) if item]
        return items or None
    return shown or None


def _normalised(key: str, shown: str) -> str:
    return display_value(key, _typed_value(key, shown))


class GuidedForm(forms.Form):
    """Guided mode's fields. Loose on purpose: the card's own checks say what is wrong, next to the field."""

    prefix = "meta"

    license = forms.CharField(
        required=False,
        max_length=200,
        label="Licence",
        help_text="Type to search the Hub's licence identifiers; choose “other” for a licence not listed.",
        widget=forms.TextInput(attrs={"list": "licence-ids", "autocomplete": "off", "spellcheck": "false"}),
    )
    license_name = forms.CharField(
        required=False, max_length=200, label="Licence name", help_text="A short name, such as llama3."
    )
    license_link = forms.CharField(
        required=False,
        max_length=500,
        label="Licence link",
        help_text="An http(s) address of the licence text, or a file such as LICENSE.md.",
    )
    pipeline_tag = forms.CharField(required=False, max_length=200, label="Task", widget=forms.Select)
    library_name = forms.CharField(
        required=False, max_length=200, label="Library", help_text="Such as transformers or diffusers."
    )
    language = forms.CharField(
        required=False, max_length=20_000, label="Languages", help_text="Language codes, such as en, fr."
    )
    tags = forms.CharField(required=False, max_length=20_000, label="Tags")
    datasets = forms.CharField(
        required=False, max_length=20_000, label="Datasets", help_text="Hub dataset ids, such as allenai/c4."
    )
    base_model = forms.CharField(
        required=False,
        max_length=2_000,
        label="Base model",
        help_text="The Hub id of the model this one was trained from, if any.",
    )
    plain_summary = forms.CharField(
        required=False,
        # Generous, so that an over-long summary reaches the card's check and its message, never dropped.
        max_length=20_000,
        label="Plain-language summary",
        help_text=(
            f"A few plain sentences, at most {MAX_SUMMARY_CHARS} characters: what the model predicts, about "
            "whom, how well, and where it fails. Shown first on the card's page, as written (no Markdown). "
            "The figures below are a rough guide (shorter sentences and everyday words read more easily) "
            "and never stop you submitting."
        ),
        widget=forms.Textarea(
            attrs={
                "rows": 4,
                "data-summary-limit": str(MAX_SUMMARY_CHARS),
                "aria-describedby": "id_meta-plain_summary_helptext id_meta-plain_summary_hint",
            }
        ),
    )
    body = forms.CharField(
        required=False,
        strip=False,
        label="Text (Markdown)",
        widget=forms.Textarea(attrs={"rows": 24, "class": "code", "spellcheck": "true"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._add_openness_fields()
        for key in LIST_KEYS:
            self.fields[key].widget.attrs.update({"data-tokens": "", "autocomplete": "off"})
        for key in ("license_name", "license_link"):
            self.fields[key].widget.attrs["data-licence-other"] = ""
        current = self["pipeline_tag"].value() or ""
        choices = [("", "— none —")] + sorted(PIPELINE_TAGS.items(), key=lambda item: item[1].lower())
        if current and current not in PIPELINE_TAGS:
            choices.append((current, f"{current} (not a Hub task)"))
        self.fields["pipeline_tag"].widget.choices = choices

    def _add_openness_fields(self) -> None:
        availability = forms.Select(choices=[("", "not recorded")] + [(a, a) for a in AVAILABILITIES])
        for component in COMPONENTS:
            name = component.name
            self.fields[openness_field(component.key, "availability")] = forms.CharField(
                required=False, max_length=20, label=f"{name}: availability", widget=availability
            )
            self.fields[openness_field(component.key, "license")] = forms.CharField(
                required=False,
                max_length=200,
                label=f"{name}: licence",
                widget=forms.TextInput(attrs={"list": "licence-ids", "autocomplete": "off"}),
            )
            for part, label in (("link", "link to the artefact"), ("evidence", "link to the evidence")):
                self.fields[openness_field(component.key, part)] = forms.CharField(
                    required=False, max_length=500, label=f"{name}: {label}"
                )
        self.fields[OPENNESS_DATA] = forms.CharField(
            required=False,
            max_length=MAX_DATA_INFORMATION,
            label="What is known about the training data",
            help_text="Provenance, selection, filtering, and what cannot be shared.",
            widget=forms.Textarea(attrs={"rows": 3}),
        )
        self.fields[OPENNESS_PRESENT] = forms.CharField(required=False, widget=forms.HiddenInput)
        self.initial.setdefault(OPENNESS_PRESENT, "1")

    @classmethod
    def for_text(cls, text: str) -> "GuidedForm | None":
        """An unbound form showing `text`'s metadata and body; None when the metadata cannot be read."""
        values = guided_values(text)
        return None if values is None else cls(initial=values)


def guided_values(text: str) -> dict | None:
    """Each guided field's text for this README.md, and its body; None when the YAML cannot be read."""
    metadata = metadata_for_editing(text)
    if metadata is None:
        return None
    values = {key: display_value(key, metadata.get(key)) for key in GUIDED_KEYS}
    values.update(openness_values(metadata))
    values[SUMMARY_FIELD] = summary_of(metadata)
    values["body"] = body_of(text)
    return values


def body_of(text: str) -> str:
    """The Markdown after the front matter (all of the text when there is no front matter)."""
    return text[len(replace_body(text, "")) :]


def compose(source: str, fields: dict) -> str:
    """The README.md after guided edits: only the keys whose field text changed are rewritten.

    A field counts as changed when its text differs from what `source`'s value shows as, once
    spacing and commas are tidied, so an untouched key keeps its exact spelling, order and comments.
    """
    metadata = metadata_for_editing(source)
    if metadata is None:
        raise GuidedUnavailable("The metadata cannot be read; fix it in raw mode first.")
    changes = {}
    for key in GUIDED_KEYS:
        shown = fields.get(key, "")
        if _normalised(key, shown) != _normalised(key, display_value(key, metadata.get(key))):
            changes[key] = _typed_value(key, shown)
    if (namespace := _namespace_change(metadata, fields)) is not _UNCHANGED:
        changes[NAMESPACE] = namespace
    try:
        text = set_metadata_values(source, changes)
    except ValueError as exc:
        raise GuidedUnavailable(f"The metadata cannot be changed here: {exc}.") from None
    return replace_body(text, normalise_newlines(fields.get("body", "")))


@dataclass
class Posted:
    """An editor form as posted, with `data["text"]` holding the composed README.md (or section)."""

    data: QueryDict
    mode: str
    acted: bool = False  # a mode switch or inserted section: show the editor again, check nothing yet
    notice: str = ""
    guided_form: GuidedForm | None = None

    @property
    def text(self) -> str:
        return self.data.get("text", "")

    @property
    def initial(self) -> dict:
        return self.data.dict()


def read_post(post: QueryDict, *, whole_card: bool) -> Posted:
    """Compose the posted editor into one text, then apply a mode switch or section insert if asked."""
    data = post.copy()
    mode = post.get("mode") if whole_card and post.get("mode") in MODES else "raw"
    posted = Posted(data, mode)
    if mode == "guided":
        guided_form = GuidedForm(post)
        guided_form.is_valid()  # every field is optional; only over-long values are dropped
        names = (*GUIDED_KEYS, *OPENNESS_KEYS, OPENNESS_PRESENT, "body")
        fields = {name: guided_form.cleaned_data.get(name, "") for name in names}
        if f"{GuidedForm.prefix}-{SUMMARY_FIELD}" in post:  # a client without the field cannot erase it
            fields[SUMMARY_FIELD] = guided_form.cleaned_data.get(SUMMARY_FIELD, "")
        try:
            data["text"] = compose(post.get("text", ""), fields)
        except GuidedUnavailable as exc:
            posted.mode, posted.notice = "raw", str(exc)
        else:
            posted.guided_form = guided_form
    if whole_card and (key := post.get("insert_section")):
        data["text"] = checklist.insert_section(data.get("text", ""), key)
        posted.acted = True
    if whole_card and post.get("switch_mode") in MODES:
        posted.acted = True
        posted.mode = post["switch_mode"]
        if posted.mode == "guided" and guided_values(data.get("text", "")) is None:
            posted.mode = "raw"
            posted.notice = (
                "The metadata cannot be read as YAML, so this card can only be edited in raw mode."
            )
    if posted.acted:
        posted.guided_form = None  # show the composed text afresh, not the fields as posted
    data["mode"] = posted.mode
    return posted


def text_problems(text: str, *, whole_card: bool) -> list[Problem]:
    """Every problem with the text, errors and warnings, each located by field and line."""
    if not whole_card:
        body, problems = text, []
    else:
        try:
            card_file = parse_card(text)
        except CardFileError as exc:
            return exc.problems + exc.warnings
        body, problems = card_file.body, list(card_file.warnings)
    # Checked once per text: the live preview asks again for every pause in typing.
    if problem := renderable_problem(body):
        problems.append(Problem("body", problem))
    return problems


def guided_field_of(problem: Problem) -> str | None:
    """The guided field a problem is about (`language[2]` is about `language`), if there is one."""
    if problem.field == f"{NAMESPACE}.{SUMMARY}":
        return SUMMARY_FIELD
    root = re.split(r"[.\[]", problem.field, maxsplit=1)[0]
    return root if root in GUIDED_KEYS else None


def rendered_body(text: str, *, whole_card: bool):
    """The sanitised HTML of the text's Markdown as readers would see it, or None when it cannot be shown."""
    try:
        # Shown under the editor page's own <h1>, like the card page's body.
        return render_markdown(body_of(text) if whole_card else text, demote_headings=True).html
    except MarkdownRefused:
        return None


def starting_text(data) -> str | None:
    """The card's text at the posted base version: what the editor started from. None for a new card,
    or when the post names no card or version that exists."""
    slug, version = data.get(CARD_FIELD, ""), data.get("base_version", "")
    if not slug or not version.isascii() or not version.isdigit() or len(version) > 9:
        return None
    card = ModelCard.objects.filter(slug=slug).only("pk", "text", "version_number").first()
    number = int(version)
    if card is None or not 1 <= number <= card.version_number:
        return None
    if number == card.version_number:
        return card.text
    versions = history.versions_by_number(card, (number,)).values()
    state = history.stored_states(card, versions).get(number)
    return state["text"] if state else None


def metadata_changes(original: str | None, text: str) -> MetadataDiff | None:
    """What an edit does to the metadata, key by key; None when there is no card to compare with."""
    if original is None:
        return None
    old, new = metadata_for_editing(original), metadata_for_editing(text)
    if old is None or new is None:
        return MetadataDiff(readable=False)
    return diff_metadata(old, new)


@dataclass
class EditorView:
    """What the editor template needs: the mode, the guided form, problems by field, the checklist."""

    mode: str
    whole_card: bool
    guided_form: GuidedForm | None
    preview_html: object
    checklist: list = field(default_factory=list)
    field_problems: dict = field(default_factory=dict)
    other_problems: list = field(default_factory=list)
    notice: str = ""
    fresh: bool = False
    preview_paused: bool = False  # too many previews from this visitor: the text is not rendered
    metadata_changes: MetadataDiff | None = None  # after a post: what the edit does to the metadata

    @property
    def checklist_missing(self) -> int:
        """How many recommended sections are missing or empty: the card page's count for this text."""
        return sum(item.status != "done" for item in self.checklist)

    @property
    def guided_rows(self) -> list[tuple]:
        """Each guided metadata field with the problems found in it, in display order."""
        if self.guided_form is None:
            return []
        return [(self.guided_form[key], self.field_problems.get(key, [])) for key in GUIDED_KEYS]

    @property
    def summary_row(self) -> tuple | None:
        """The plain-language summary's bound field, its problems and its readability hint."""
        if self.guided_form is None:
            return None
        field = self.guided_form[SUMMARY_FIELD]
        text = field.value() or ""
        return field, self.field_problems.get(SUMMARY_FIELD, []), summary_hint(text)

    @property
    def openness_rows(self) -> list[tuple]:
        """Each MOF component with its four bound fields, for the openness table in guided mode."""
        if self.guided_form is None:
            return []
        return [
            (component, [self.guided_form[openness_field(component.key, part)] for part in OPENNESS_PARTS])
            for component in COMPONENTS
        ]

    @property
    def licence_options(self):
        return list(LICENCES.items())


def summary_hint(text: str) -> str:
    return readability_hint(text, limit=MAX_SUMMARY_CHARS)


def editor_view(
    text: str, *, whole_card: bool, posted: Posted | None = None, text_errors=(), preview: bool = True
) -> EditorView:
    """The editor's state for a page: after a GET (`posted` None) or a posted form shown again.

    With `preview` False (the visitor is over the preview limit) the text is not rendered.
    """
    mode = posted.mode if posted else ("guided" if whole_card else "raw")
    guided_form = posted.guided_form if posted and posted.guided_form is not None else None
    if whole_card and guided_form is None:
        guided_form = GuidedForm.for_text(text)
    if guided_form is None:
        mode = "raw"
    view = EditorView(
        mode=mode,
        whole_card=whole_card,
        guided_form=guided_form,
        preview_html=rendered_body(text, whole_card=whole_card) if preview else None,
        checklist=checklist.checklist(text) if whole_card else [],
        notice=posted.notice if posted else "",
        fresh=posted is None,
        preview_paused=not preview,
    )
    if posted is not None and whole_card and preview:
        view.metadata_changes = metadata_changes(starting_text(posted.data), text)
    if mode == "guided" and text_errors:
        placed = set()
        for problem in text_problems(text, whole_card=True):
            if (key := guided_field_of(problem)) is not None:
                view.field_problems.setdefault(key, []).append(problem.message)
                placed.add(str(problem))
        view.other_problems = [error for error in text_errors if error not in placed]
    return view


def preview_payload(posted: Posted, *, whole_card: bool) -> dict:
    """The live preview's answer: the composed text, its rendering, what it does to the metadata, its
    problems and its checklist."""
    text = posted.text
    changes = metadata_changes(starting_text(posted.data), text) if whole_card else None
    return {
        "mode": posted.mode,
        "notice": posted.notice,
        "text": text,
        "html": rendered_body(text, whole_card=whole_card) or "",
        "problems": [
            {
                "field": guided_field_of(problem) or problem.field,
                "line": problem.line,
                "message": problem.message,
                "severity": problem.severity,
                "text": str(problem),
            }
            for problem in text_problems(text, whole_card=whole_card)
        ],
        "metadata_html": ""
        if changes is None
        else render_to_string("modelcards/metadata_diff.html", {"changes": changes, "label": "Metadata"}),
        "guided": guided_values(text) if whole_card else None,
        "checklist": [
            {"key": item.key, "status": item.status, "label": item.status_label}
            for item in (checklist.checklist(text) if whole_card else [])
        ],
    }
