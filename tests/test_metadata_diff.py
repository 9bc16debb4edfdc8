"""Metadata compared key by key and item by item: what a reader of a history diff or a review page sees.

The first half drives `metadata_diff.diff_metadata` with the shapes YAML front matter can take; the
second half reads the pages, where the same lines must appear, escaped, with line numbers that count
the whole README.md on every diff.
"""

import datetime
import json
import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modelcards.metadata_diff import MAX_METADATA_CHANGES, MAX_SHOWN_CHARS, MetadataChange, diff_metadata
from modelcards.workflow import accept_suggestion, reject_suggestion, submit_suggestion
from tests.conftest import SAMPLE_README
from tests.html_checks import active_content


def lines_of(old, new) -> list[tuple[str, str, str, str]]:
    return [(c.path, c.kind, c.old, c.new) for c in diff_metadata(old, new).changes]


def model_index(*results, name="whisper-small") -> dict:
    return {"model-index": [{"name": name, "results": list(results)}]}


def result(task="automatic-speech-recognition", dataset="LibriSpeech (clean)", **metrics) -> dict:
    return {
        "task": {"type": task},
        "dataset": {"name": dataset, "type": "librispeech_asr"},
        "metrics": [
            {"type": metric, "name": metric.upper(), "value": value} for metric, value in metrics.items()
        ],
    }


# --------------------------------------------------------------------------------------
# Lists of scalars: what was added or removed, not every later position


def test_a_tag_added_in_the_middle_is_one_added_line_under_tags():
    old = {"tags": ["text-generation", "demo", "safety"]}
    new = {"tags": ["text-generation", "asr-audit", "demo", "safety"]}
    assert lines_of(old, new) == [("tags", "added", "", "asr-audit")]


def test_a_removed_tag_is_one_removed_line_and_a_replaced_one_reads_as_removed_then_added():
    assert lines_of({"tags": ["foo", "demo"]}, {"tags": ["demo"]}) == [("tags", "removed", "foo", "")]
    assert lines_of({"language": ["en", "fr", "de"]}, {"language": ["en", "nl", "de"]}) == [
        ("language", "removed", "fr", ""),
        ("language", "added", "", "nl"),
    ]


def test_a_list_in_a_new_order_reads_as_one_line_never_as_removed_and_added():
    assert lines_of({"tags": ["a", "b", "c"]}, {"tags": ["c", "a", "b"]}) == [("tags", "reordered", "", "")]
    assert lines_of({"tags": ["a", "b"]}, {"tags": ["b", "a", "c"]}) == [
        ("tags", "added", "", "c"),
        ("tags", "reordered", "", ""),
    ]


def test_duplicates_count_one_by_one():
    assert lines_of({"tags": ["a", "a", "b"]}, {"tags": ["a", "a", "b", "a"]}) == [("tags", "added", "", "a")]
    assert lines_of({"tags": ["a", "a"]}, {"tags": ["a"]}) == [("tags", "removed", "a", "")]


# --------------------------------------------------------------------------------------
# Nested values: the path down to what changed


def test_a_changed_metric_is_located_by_model_task_dataset_and_metric_names():
    old = model_index(result(wer=71.2, cer=3.1))
    new = model_index(result(wer=72.0, cer=3.1))
    assert lines_of(old, new) == [
        (
            "model-index[whisper-small].results[automatic-speech-recognition on LibriSpeech (clean)]"
            ".metrics[WER].value",
            "changed",
            "71.2",
            "72.0",
        )
    ]


def test_items_without_a_name_or_with_a_shared_one_are_located_by_their_position():
    old = {"model-index": [{"results": [{"metrics": [{"value": 71.2}]}]}]}
    new = {"model-index": [{"results": [{"metrics": [{"value": 72.0}]}]}]}
    assert lines_of(old, new) == [("model-index[0].results[0].metrics[0].value", "changed", "71.2", "72.0")]

    twins = [{"name": "acc", "value": 1}, {"name": "acc", "value": 2}]
    assert lines_of({"m": twins}, {"m": [twins[0], {"name": "acc", "value": 3}]}) == [
        ("m[1].value", "changed", "2", "3")
    ]


def test_results_for_other_splits_of_one_dataset_are_told_apart():
    test, validation = result(wer=5.0), result(wer=6.0)
    test["dataset"]["split"], validation["dataset"]["split"] = "test", "validation"
    changed = {**validation, "metrics": [{"type": "wer", "name": "WER", "value": 6.5}]}
    (path, *_), *rest = lines_of(model_index(test, validation), model_index(test, changed))
    assert not rest
    assert path.endswith(
        ".results[automatic-speech-recognition on LibriSpeech (clean) (validation)].metrics[WER].value"
    )


def test_results_that_only_moved_are_not_shown_as_removed_and_added():
    first, second = result(dataset="LibriSpeech (clean)", wer=2.0), result(dataset="Common Voice", wer=9.0)
    emptied = {**first, "metrics": []}
    assert lines_of(model_index(first, second), model_index(second, emptied)) == [
        ("model-index[whisper-small].results", "reordered", "", ""),
        (
            "model-index[whisper-small].results[automatic-speech-recognition on LibriSpeech (clean)].metrics",
            "removed",
            "{type: wer, name: WER, value: 2.0}",
            "",
        ),
    ]


def test_a_result_added_or_removed_is_one_line_with_its_value():
    kept, added = result(dataset="LibriSpeech (clean)", wer=2.0), result(dataset="Common Voice", wer=9.0)
    changes = lines_of(model_index(kept), model_index(kept, added))
    assert [(path, kind) for path, kind, _, _ in changes] == [("model-index[whisper-small].results", "added")]
    assert changes[0][3].startswith(
        "{task: {type: automatic-speech-recognition}, dataset: {name: Common Voice"
    )


def test_nested_mappings_report_keys_added_removed_and_changed_at_their_own_paths():
    old = {"co2_eq_emissions": {"emissions": 10, "source": "paper", "hardware": {"gpu": "A100"}}}
    new = {
        "co2_eq_emissions": {"emissions": 12, "hardware": {"gpu": "H100"}, "training_type": "pre-training"}
    }
    assert lines_of(old, new) == [
        ("co2_eq_emissions.emissions", "changed", "10", "12"),
        ("co2_eq_emissions.hardware.gpu", "changed", "A100", "H100"),
        ("co2_eq_emissions.training_type", "added", "", "pre-training"),
        ("co2_eq_emissions.source", "removed", "paper", ""),
    ]


def test_unnamed_mappings_in_a_list_pair_in_turn_so_an_edit_is_one_change():
    old = {"widget": [{"text": "Hello"}, {"text": "How are you?"}]}
    new = {"widget": [{"text": "Hello"}, {"text": "How are you today?"}]}
    assert lines_of(old, new) == [("widget[1].text", "changed", "How are you?", "How are you today?")]


def test_keys_come_in_the_new_order_then_removed_keys_and_mapping_order_alone_is_no_change():
    old = {"license": "mit", "datasets": ["c4"], "results": {"acc": 1, "f1": 0.5}}
    new = {"results": {"f1": 0.5, "acc": 1}, "base_model": "gpt2", "license": "apache-2.0"}
    assert lines_of(old, new) == [
        ("base_model", "added", "", "gpt2"),
        ("license", "changed", "mit", "apache-2.0"),
        ("datasets", "removed", "[c4]", ""),
    ]


# --------------------------------------------------------------------------------------
# Types, None, dates, odd keys


def test_a_change_of_type_is_a_change_and_shows_both_values_so_that_the_types_read_apart():
    assert lines_of({"tags": "demo"}, {"tags": ["demo", "asr"]}) == [
        ("tags", "changed", "demo", "[demo, asr]")
    ]
    assert lines_of({"gated": True}, {"gated": 1}) == [("gated", "changed", "true", "1")]
    assert lines_of({"v": 1}, {"v": 1.0}) == [("v", "changed", "1", "1.0")]
    assert lines_of({"v": 1}, {"v": "1"}) == [("v", "changed", "1", '"1"')]
    assert lines_of({"v": {"a": 1}}, {"v": [{"a": 1}]}) == [("v", "changed", "{a: 1}", "[{a: 1}]")]
    assert lines_of({"v": "true"}, {"v": "yes"}) == [("v", "changed", '"true"', '"yes"')]


def test_none_is_a_value_and_missing_metadata_counts_as_empty():
    assert lines_of({"base_model": "gpt2"}, {"base_model": None}) == [
        ("base_model", "changed", "gpt2", "null")
    ]
    assert lines_of(None, {"a": None}) == [("a", "added", "", "null")]
    assert lines_of({"a": 1}, None) == [("a", "removed", "1", "")]
    assert lines_of(None, None) == [] and not diff_metadata({}, {})


def test_dates_show_as_iso_text_whether_read_as_dates_or_as_text():
    old = {"released": datetime.date(2024, 1, 31), "card_date": "2024-01-31"}
    new = {"released": datetime.date(2024, 2, 1), "card_date": "2024-02-01"}
    assert lines_of(old, new) == [
        ("released", "changed", "2024-01-31", "2024-02-01"),
        ("card_date", "changed", "2024-01-31", "2024-02-01"),
    ]
    assert lines_of({"d": datetime.date(2024, 1, 31)}, {"d": "2024-01-31"})[0][1] == "changed"


def test_keys_that_are_not_plain_words_are_quoted_in_paths_and_non_text_keys_kept_apart():
    assert lines_of({"x": {"my key": 1}}, {"x": {"my key": 2}}) == [("x.my key", "changed", "1", "2")]
    assert lines_of({"x": {"a.b: c": 1}}, {"x": {"a.b: c": 2}}) == [('x."a.b: c"', "changed", "1", "2")]
    assert lines_of({"x": {"v1.0": 1}}, {"x": {"v1.0": 2}}) == [('x."v1.0"', "changed", "1", "2")]
    assert lines_of({1: "a", "1": "b"}, {1: "a", "1": "c"}) == [('"1"', "changed", "b", "c")]
    assert lines_of({True: "a"}, {1: "a"}) == [("1", "added", "", "a"), ("true", "removed", "a", "")]
    assert lines_of({"x": [{"name": "0", "v": 1}]}, {"x": [{"name": "0", "v": 2}]}) == [
        ('x["0"].v', "changed", "1", "2")
    ]


# --------------------------------------------------------------------------------------
# Bounded: output and work, whatever the input


def test_a_huge_list_lists_the_first_changes_and_counts_the_rest():
    old = {"language": [f"x{number}" for number in range(5_000)]}
    new = {"language": [f"y{number}" for number in range(5_000)]}
    diff = diff_metadata(old, new)
    assert len(diff.changes) == MAX_METADATA_CHANGES
    assert diff.more == 10_000 - MAX_METADATA_CHANGES and diff.total == 10_000
    assert diff.changes[0] == MetadataChange("language", "removed", "x0", "")


def test_a_huge_value_is_shown_cut_short():
    diff = diff_metadata({}, {"tags": [f"tag-{number}" for number in range(100_000)], "note": "n" * 10_000})
    assert [change.path for change in diff.changes] == ["tags", "note"]
    for change in diff.changes:
        assert len(change.new) <= MAX_SHOWN_CHARS and change.new.endswith("…")
    assert diff.changes[0].new.startswith("[tag-0, tag-1, tag-2")


def test_nesting_far_deeper_than_any_card_allows_is_compared_without_running_out_of_stack():
    def nested(depth, leaf, *, make):
        value = leaf
        for _ in range(depth):
            value = make(value)
        return value

    for make in (lambda inner: {"k": inner}, lambda inner: [inner]):
        diff = diff_metadata({"a": nested(5_000, 1, make=make)}, {"a": nested(5_000, 2, make=make)})
        assert (
            diff.total == 1
            and len(diff.changes[0].path) < 300
            and len(diff.changes[0].old) <= MAX_SHOWN_CHARS
        )
        assert not diff_metadata({"a": nested(5_000, 1, make=make)}, {"a": nested(5_000, 1, make=make)})


def test_odd_scalars_never_break_the_comparison():
    odd = [
        float("nan"),
        float("inf"),
        -float("inf"),
        2**80,
        10**5000,
        b"bytes",
        datetime.datetime(2024, 1, 1),
        (),
    ]
    for value in odd:
        assert diff_metadata({"v": value}, {"v": value}).total == 0
        assert lines_of({"v": value}, {"v": "other"})[0][:2] == ("v", "changed")
    assert diff_metadata({"v": float("nan")}, {"v": float("nan")}).total == 0  # NaN is not equal to itself
    assert lines_of({"v": float("inf")}, {"v": -float("inf")}) == [("v", "changed", ".inf", "-.inf")]
    assert lines_of({"v": 0.0}, {"v": -0.0}) == [("v", "changed", "0.0", "-0.0")]


SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.sampled_from([0.0, -0.0])
    | st.text(max_size=8)
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=5), inner, max_size=5),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(st.text(max_size=5), VALUES, max_size=6),
    st.dictionaries(st.text(max_size=5), VALUES, max_size=6),
)
def test_any_two_metadata_differ_exactly_when_their_json_differs_and_a_value_never_differs_from_itself(
    old, new
):
    diff = diff_metadata(old, new)
    assert bool(diff) == (json.dumps(old, sort_keys=True) != json.dumps(new, sort_keys=True))
    assert len(diff.changes) <= MAX_METADATA_CHANGES
    assert all(
        len(change.old) <= MAX_SHOWN_CHARS and len(change.new) <= MAX_SHOWN_CHARS for change in diff.changes
    )
    assert not diff_metadata(old, json.loads(json.dumps(old)))


# --------------------------------------------------------------------------------------
# The pages


class _MetadataList(HTMLParser):
    """The metadata change list as a sighted reader sees it: (path, [lines]), hidden words left out."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.items: list[dict] = []  # per path: its text, its own text, the texts of its nested items
        self.lists = 0  # how deep inside the change list, 0 outside it
        self.spans: list[bool] = []  # open spans inside the list: visually hidden or not
        self.where = ""  # "path", "own" or "nested": what the text being read belongs to

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "ul" and (self.lists or "meta-changes" in (attributes.get("class") or "").split()):
            self.lists += 1
        elif tag == "li" and self.lists == 1:
            self.items.append({"path": "", "own": "", "nested": []})
            self.where = "own"
        elif tag == "li" and self.lists == 2:
            self.items[-1]["nested"].append("")
            self.where = "nested"
        elif tag == "code" and attributes.get("class") == "meta-path":
            self.where = "path"
        elif tag == "span" and self.lists:
            self.spans.append(attributes.get("class") == "visually-hidden")

    def handle_endtag(self, tag):
        if tag == "ul" and self.lists:
            self.lists -= 1
            self.where = "own" if self.lists else ""
        elif tag == "code" and self.where == "path":
            self.where = "own"
        elif tag == "span" and self.spans:
            self.spans.pop()

    def handle_data(self, data):
        if not self.where or any(self.spans):
            return
        item = self.items[-1]
        if self.where == "nested":
            item["nested"][-1] += data
        else:
            item[self.where] += data

    def groups(self) -> list[tuple[str, list[str]]]:
        def tidy(text):
            return " ".join(text.split())

        return [
            (item["path"], [tidy(line) for line in item["nested"]] or [tidy(item["own"]).lstrip(": ")])
            for item in self.items
        ]


def metadata_shown(html: str) -> list[tuple[str, list[str]]]:
    parser = _MetadataList()
    parser.feed(html)
    return parser.groups()


def _changed(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


SUGGESTED = _changed(
    _changed(_changed(SAMPLE_README, "- demo\n", "- asr-audit\n- demo\n"), "value: 0.71", "value: 0.72"),
    "It is only a sample.",
    "It is only a sample, for tests.",
)
METRIC_PATH = "model-index[sample-model].results[text-generation on HellaSwag].metrics[Accuracy].value"
EXPECTED = [("tags", ["+ asr-audit"]), (METRIC_PATH, ["0.71 → 0.72"])]


@pytest.fixture
def suggested(card, make_user):
    return submit_suggestion(
        card=card, text=SUGGESTED, summary="Audit tag, new score", base_version=1, author=make_user("ada")
    )


@pytest.mark.django_db
def test_the_history_diff_lists_a_tag_added_and_a_score_changed_with_words_for_screen_readers(
    client, suggested, moderator
):
    accept_suggestion(suggested, reviewer=moderator)
    for view in ("", "?view=unified"):
        html = client.get(f"/cards/sample/diff/1/2/{view}").content.decode()
        assert metadata_shown(html) == EXPECTED
        assert '<span class="visually-hidden">added: </span><ins><code>asr-audit</code></ins>' in html
    backward = client.get("/cards/sample/diff/2/1/").content.decode()
    assert metadata_shown(backward) == [("tags", ["− asr-audit"]), (METRIC_PATH, ["0.72 → 0.71"])]


@pytest.mark.django_db
def test_the_review_page_shows_the_same_metadata_changes_before_and_after_the_decision(
    client, suggested, moderator, make_user
):
    for viewer in (None, moderator):
        if viewer:
            client.force_login(viewer)
        assert metadata_shown(client.get(f"/suggestions/{suggested.pk}/").content.decode()) == EXPECTED
    accept_suggestion(suggested, reviewer=moderator)
    assert metadata_shown(client.get(f"/suggestions/{suggested.pk}/").content.decode()) == EXPECTED

    rejected = submit_suggestion(
        card=suggested.card, text=SUGGESTED.replace("- en\n", ""), summary="Drop English",
        base_version=2, author=make_user("bo"),
    )  # fmt: skip
    reject_suggestion(rejected, reviewer=moderator, note="English stays.")
    assert metadata_shown(client.get(f"/suggestions/{rejected.pk}/").content.decode()) == [
        ("language", ["− en"])
    ]


@pytest.mark.django_db
def test_a_body_only_change_says_the_metadata_did_not_change(client, card, make_user, moderator):
    body_only = submit_suggestion(
        card=card, text=SAMPLE_README + "\nMore.\n", summary="More", base_version=1, author=make_user("ada")
    )
    assert (
        "<strong>Metadata</strong>: no change."
        in client.get(f"/suggestions/{body_only.pk}/").content.decode()
    )
    accept_suggestion(body_only, reviewer=moderator)
    assert "No metadata changed." in client.get("/cards/sample/diff/1/2/").content.decode()


@pytest.mark.django_db
def test_hostile_metadata_is_shown_as_text_on_both_pages(client, card, make_user, moderator):
    hostile = '<script>alert(1)</script>", "<img src=x onerror=alert(2)>'
    text = _changed(SAMPLE_README, "- demo\n", f"- demo\n- '{hostile}'\n")
    suggestion = submit_suggestion(
        card=card, text=text, summary="Hostile", base_version=1, author=make_user("eve")
    )
    review = client.get(f"/suggestions/{suggestion.pk}/").content.decode()
    accept_suggestion(suggestion, reviewer=moderator)
    history = client.get("/cards/sample/diff/1/2/").content.decode()
    for html in (review, history):
        assert active_content(html) == []
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
        assert metadata_shown(html) == [("tags", [f"+ {json.dumps(hostile)}"])]  # quoted: it holds quotes


# --------------------------------------------------------------------------------------
# Line numbers: the whole README.md, counted from 1, on both pages


_CHANGED_ROW = re.compile(
    r'<tr class="diff-(?:replace|delete|insert)">\s*'
    r'<td class="ln"[^>]*>(\d*)</td>.*?<td class="ln"[^>]*>(\d*)</td>',
    re.S,
)
_UNIFIED_ROW = re.compile(
    r'<tr class="diff-(delete|insert)"><td class="ln">(\d*)</td><td class="ln">(\d*)</td>'
)


def changed_rows(html: str, heading_id: str) -> list[tuple[str, str]]:
    section = html.split(f'id="{heading_id}"', 1)[1]
    return _CHANGED_ROW.findall(section)


def line_of(text: str, line: str) -> int:
    return text.splitlines().index(line) + 1


@pytest.mark.django_db
def test_the_same_change_has_the_same_line_numbers_on_the_review_page_and_in_history(
    client, suggested, moderator
):
    old_line, new_line = (
        line_of(SAMPLE_README, "It is only a sample."),
        line_of(SUGGESTED, "It is only a sample, for tests."),
    )
    assert new_line == old_line + 1  # the added tag moved the body down a line
    url = f"/suggestions/{suggested.pk}/"
    read = changed_rows(client.get(url).content.decode(), "diff-heading")
    client.force_login(moderator)  # a moderator's diff has boxes to tick and lines to comment on
    reviewed = changed_rows(client.get(url).content.decode(), "diff-heading")
    accept_suggestion(suggested, reviewer=moderator)
    history = changed_rows(client.get("/cards/sample/diff/1/2/").content.decode(), "body-diff-heading")
    assert history == [(str(old_line), str(new_line))]
    assert set(history) <= set(read) and set(history) <= set(reviewed)

    unified = client.get("/cards/sample/diff/1/2/?view=unified").content.decode()
    assert _UNIFIED_ROW.findall(unified.split('id="body-diff-heading"', 1)[1]) == [
        ("delete", str(old_line), ""),
        ("insert", "", str(new_line)),
    ]
    assert f"@@ -{old_line - 3},4 +{new_line - 3},4 @@" in unified
