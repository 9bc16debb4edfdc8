"""Forms that take a README.md from a person and report every problem with it."""

from datetime import timedelta

from django import forms
from django.conf import settings

from accounts.confusables import NAME_TAKEN_MESSAGE, name_belongs_to_account

from .cardfile import normalise_newlines, parse_or_problems
from .hidden_characters import hidden_problems
from .hub.client import HubError, parse_repo_ref
from .models import validate_card_slug  # the format, and the names reserved_slugs keeps back


class CardImportForm(forms.Form):
    """Create a card by uploading or pasting a README.md."""

    slug = forms.CharField(
        max_length=100,
        required=False,
        help_text="Lower-case letters, digits and hyphens. Left empty, it comes from the file's name.",
    )
    file = forms.FileField(required=False, label="README.md file")
    text = forms.CharField(
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 20, "spellcheck": "false"}),
        label="or paste the README.md",
    )
    summary = forms.CharField(max_length=300, required=False, label="Edit summary")

    def clean_summary(self):
        return clean_single_line(self.cleaned_data["summary"], "summary")

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is None:
            return None
        if upload.size > settings.MODELCARDS_MAX_CARD_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size:,} bytes; a card may be at most "
                f"{settings.MODELCARDS_MAX_CARD_BYTES:,} bytes."
            )
        raw = upload.read()
        try:
            return upload.name, raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(
                f"The file is not valid UTF-8 (byte {exc.start} cannot be decoded)."
            ) from exc

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        pasted = cleaned.get("text") or ""
        if self.errors:
            return cleaned
        if upload and pasted.strip():
            raise forms.ValidationError("Upload a file or paste the text, not both.")
        if upload:
            name, text = upload  # a file keeps its bytes exactly
        elif pasted.strip():
            name, text = "", normalise_newlines(pasted)
        else:
            raise forms.ValidationError("Upload a README.md file or paste its text.")
        slug = (cleaned.get("slug") or "").strip().lower() or slug_from_filename(name)
        if not slug:
            self.add_error("slug", "Give a slug for the new card.")
        else:
            try:
                validate_card_slug(slug)
            except forms.ValidationError as exc:
                self.add_error("slug", exc)
        card_file, problems = parse_or_problems(text)
        for problem in problems:
            self.add_error("text" if not upload else "file", problem)
        cleaned["slug"] = slug
        cleaned["card_file"] = card_file
        return cleaned


def slug_from_filename(name: str) -> str:
    """`bloom.md` gives `bloom`; an uploaded `README.md` says nothing about its model."""
    stem = name.rsplit("/", 1)[-1]
    if stem.lower().endswith(".md"):
        stem = stem[:-3]
    if stem.lower() == "readme":
        return ""
    return stem.lower()


# Control characters and bidirectional overrides would let a one-line field pretend to say
# something else (a reversed name, a hidden second line), so they are refused.
_FORBIDDEN_IN_LINE = (
    {chr(c) for c in range(0x00, 0x20)}
    | {chr(c) for c in range(0x7F, 0xA0)}  # DEL and the C1 controls, NEL (U+0085) among them
    | set("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c")
    | set("\u2028\u2029")  # line and paragraph separators: a second line in disguise
)


def clean_single_line(value: str, label: str) -> str:
    value = value.strip()
    if any(ch in _FORBIDDEN_IN_LINE for ch in value):
        raise forms.ValidationError(
            f"The {label} must be one line of plain text, without control or direction-changing characters."
        )
    return value


def clean_message(value: str) -> str:
    """A comment or talk message: several lines are fine, direction overrides and control characters
    are not (the rule card texts follow, see hidden_characters), each named with its place."""
    if problems := hidden_problems(value):
        raise forms.ValidationError(problems)
    return value


class SuggestionForm(forms.Form):
    """A suggested text (whole card or one section) with a one-line summary of what changed and why."""

    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "true", "class": "code"}),
        label="Text",
        strip=False,
    )
    summary = forms.CharField(
        max_length=300,
        label="Summary of what changed and why",
        help_text="One line, e.g. “Add the training data's licence, with a link to the datasheet”.",
    )
    author_name = forms.CharField(
        max_length=80,
        required=False,
        label="Your name (optional)",
        help_text="Shown with your suggestion. Leave empty to appear as anonymous.",
    )
    watch = forms.BooleanField(
        required=False,
        initial=True,
        label="Watch this card (you'll be told about changes and about the review)",
    )
    base_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, anonymous: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not anonymous:
            del self.fields["author_name"]
        if anonymous or "slug" in self.fields:  # nobody to watch for, or no card yet
            del self.fields["watch"]
        self.fields["website"].widget.attrs["class"] = "honeypot"

    def clean_text(self):
        text = normalise_newlines(self.cleaned_data["text"])
        size = len(text.encode("utf-8"))
        if size > settings.MODELCARDS_MAX_CARD_BYTES:
            limit = settings.MODELCARDS_MAX_CARD_BYTES
            raise forms.ValidationError(f"The text is {size:,} bytes; a card may be at most {limit:,} bytes.")
        return text

    def clean_summary(self):
        return clean_single_line(self.cleaned_data["summary"], "summary")

    def clean_author_name(self):
        name = clean_single_line(self.cleaned_data.get("author_name", ""), "name")
        if name and name_belongs_to_account(name):  # nobody signs as someone registered
            raise forms.ValidationError(NAME_TAKEN_MESSAGE)
        return name


class NewCardSuggestionForm(SuggestionForm):
    slug = forms.CharField(
        max_length=100,
        label="Slug for the new card",
        help_text="Lower-case letters, digits and hyphens, e.g. the model's repository name.",
    )

    field_order = ["slug", "text", "summary", "author_name"]

    def clean_slug(self):
        slug = self.cleaned_data["slug"].strip().lower()
        validate_card_slug(slug)
        return slug


class DecisionForm(forms.Form):
    """Accept or reject, bound to the suggestion text and card version the moderator was shown."""

    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Note to the author"
    )
    seen_fingerprint = forms.CharField(widget=forms.HiddenInput)
    seen_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class DirectEditForm(forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 28, "spellcheck": "true", "class": "code"}), strip=False
    )
    summary = forms.CharField(max_length=300, label="Summary of what changed and why")
    base_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def clean_text(self):
        return normalise_newlines(self.cleaned_data["text"])

    def clean_summary(self):
        return clean_single_line(self.cleaned_data["summary"], "summary")


class CommentForm(forms.Form):
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20_000,
        label="Comment (Markdown)",
        error_messages={
            "required": "A comment needs some text.",
            "max_length": "A comment can be at most %(limit_value)s characters; this one has %(show_value)s.",
        },
    )

    def clean_body(self):
        return clean_message(self.cleaned_data["body"])


class ThreadForm(forms.Form):
    title = forms.CharField(max_length=200)
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}), max_length=20_000, label="Message (Markdown)"
    )

    def clean_title(self):
        return clean_single_line(self.cleaned_data["title"], "title")

    def clean_body(self):
        return clean_message(self.cleaned_data["body"])


BLOCK_DURATIONS = {
    "1d": timedelta(days=1),
    "1w": timedelta(weeks=1),
    "1m": timedelta(days=30),
    "3m": timedelta(days=91),
}


class BlockForm(forms.Form):
    reason = forms.CharField(max_length=300)
    # Absent from an older form: indefinite, as every block was before blocks could expire.
    duration = forms.ChoiceField(
        choices=[
            ("1d", "1 day"),
            ("1w", "1 week"),
            ("1m", "1 month"),
            ("3m", "3 months"),
            ("", "Indefinitely"),
        ],
        required=False,
    )

    def expires_at(self, now):
        """When the chosen duration ends, counted from `now`; None for an indefinite block."""
        length = BLOCK_DURATIONS.get(self.cleaned_data.get("duration") or "")
        return now + length if length else None

    def clean_reason(self):
        return clean_single_line(self.cleaned_data["reason"], "reason")


class RevisionForm(forms.Form):
    """An author's new text for their own suggestion, kept as its next revision."""

    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "true", "class": "code"}),
        label="Revised text (the whole README.md)",
        strip=False,
    )
    summary = forms.CharField(
        max_length=300,
        label="What this revision changes",
        help_text="One line, e.g. “Link the licence as asked”.",
    )
    seen_revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def clean_text(self):
        text = normalise_newlines(self.cleaned_data["text"])
        size, limit = len(text.encode("utf-8")), settings.MODELCARDS_MAX_CARD_BYTES
        if size > limit:
            raise forms.ValidationError(f"The text is {size:,} bytes; a card may be at most {limit:,} bytes.")
        return text

    def clean_summary(self):
        return clean_single_line(self.cleaned_data["summary"], "summary")


class PartAcceptForm(forms.Form):
    """Accept the ticked hunks of a suggestion; the hunks themselves are the posted `hunk` values."""

    remainder = forms.ChoiceField(
        choices=[("pending", "Leave the rest pending"), ("declined", "Decline the rest")],
        widget=forms.RadioSelect,
        label="The changes you did not tick",
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Note to the author"
    )
    seen_hunks = forms.CharField(widget=forms.HiddenInput)
    seen_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class HubImportForm(forms.Form):
    """Import or update a card from a Hub model repository, named by its id (modelcards/hub/importing.py)."""

    repo = forms.CharField(
        max_length=300,
        label="Hub repository",
        help_text="owner/name, optionally @revision (a branch, tag or commit); e.g. openai-community/gpt2.",
    )
    slug = forms.CharField(
        max_length=100,
        required=False,
        help_text="Left empty: the repository's name, or the card already linked to it. Given: that "
        "card is linked to the repository and updated.",
    )
    summary = forms.CharField(max_length=300, required=False, label="Edit summary")

    def clean_repo(self):
        try:
            parse_repo_ref(self.cleaned_data["repo"])
        except HubError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return self.cleaned_data["repo"].strip()

    def clean_slug(self):
        slug = self.cleaned_data["slug"].strip().lower()
        if slug:
            validate_card_slug(slug)
        return slug

    def clean_summary(self):
        return clean_single_line(self.cleaned_data["summary"], "summary")
