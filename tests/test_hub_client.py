"""The Hub client (modelcards/hub/client.py) against the stand-in Hub: what it reads, what it sends,
and the exception and message each fault gives. The real Hub is never contacted."""

import time

import pytest
from huggingface_hub import CommitOperationAdd

from modelcards.hub import client
from modelcards.hub.client import (
    HubError,
    HubUnavailable,
    RateLimited,
    ReadmeMissing,
    ReadmeNotUtf8,
    ReadmeTooLarge,
    RepoGated,
    RepoNotFound,
    RevisionNotFound,
    TokenMissing,
    TokenRefused,
)
from tests.conftest import SAMPLE_README

REPO = "acme/tiny-model"


# ---- parse_repo_ref


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("acme/tiny-model", ("acme/tiny-model", "main")),
        ("  acme/tiny-model@v1.0 ", ("acme/tiny-model", "v1.0")),
        ("acme/Tiny_Model.v2@refs/pr/3", ("acme/Tiny_Model.v2", "refs/pr/3")),
        ("https://huggingface.co/acme/tiny-model", ("acme/tiny-model", "main")),
    ],
)
def test_repo_ref_gives_repository_and_revision(ref, expected, settings):
    settings.HUB_ENDPOINT = "https://huggingface.co"
    assert client.parse_repo_ref(ref) == expected


@pytest.mark.parametrize(
    "ref",
    [
        "",
        "gpt2",
        "acme/",
        "/tiny",
        "acme/tiny/extra",
        "acme/ti..ny",
        "acme/-tiny",
        "acme/tiny@",
        "a/b@../x",
        "a b/c",
    ],
)
def test_invalid_repo_ref_is_refused_with_a_clear_message(ref):
    with pytest.raises(HubError, match="owner/name|revision"):
        client.parse_repo_ref(ref)


# ---- reading


def test_head_commit_is_one_model_info_request_at_the_revision(hub):
    first = hub.add_repo(REPO, SAMPLE_README)
    hub.set_readme(REPO, SAMPLE_README + "\nMore.\n", branch="dev")
    assert client.head_commit(REPO) == first
    assert client.head_commit(REPO, "dev") == hub.head(REPO, "dev")
    paths = [r.path for r in hub.received]
    assert paths == [f"/api/models/{REPO}/revision/main", f"/api/models/{REPO}/revision/dev"]
    assert hub.received[0].query["expand"] == ["sha"]


def test_fetch_readme_reads_the_file_at_the_commit_it_names(hub):
    commit = hub.add_repo(REPO, SAMPLE_README)
    readme = client.fetch_readme(REPO)
    assert readme == client.HubReadme(repo_id=REPO, revision="main", commit=commit, text=SAMPLE_README)
    info, resolve = hub.received
    assert info.path == f"/api/models/{REPO}/revision/main"
    assert (resolve.method, resolve.path) == ("GET", f"/{REPO}/resolve/{commit}/README.md")


def test_fetch_readme_at_a_tag_or_commit(hub):
    first = hub.add_repo(REPO, SAMPLE_README)
    hub.set_readme(REPO, SAMPLE_README.replace("Sample Model", "Newer Model"))
    assert client.fetch_readme(REPO, first[:10]).text == SAMPLE_README
    assert client.fetch_readme(REPO).text != SAMPLE_README


def test_repository_id_comes_back_as_the_hub_spells_it(hub):
    hub.add_repo("Acme/Tiny-Model", SAMPLE_README)
    hub.repos["acme/tiny-model"] = hub.repos["Acme/Tiny-Model"]  # the Hub answers either spelling
    assert client.fetch_readme("acme/tiny-model").repo_id == "Acme/Tiny-Model"


def test_no_authorization_header_without_a_token(hub):
    hub.add_repo(REPO, SAMPLE_README)
    client.fetch_readme(REPO)
    assert all("authorization" not in r.headers for r in hub.received)
    assert all("model-card-commons" in r.headers["user-agent"] for r in hub.received)


def test_configured_token_is_sent_on_every_request(hub, settings):
    settings.HUB_TOKEN = "hf_reader"
    hub.tokens["hf_reader"] = "read"
    hub.add_repo(REPO, SAMPLE_README)
    client.fetch_readme(REPO)
    assert [r.headers["authorization"] for r in hub.received] == ["Bearer hf_reader"] * 2


def test_a_token_in_the_environment_is_not_sent_behind_the_settings_back(hub, monkeypatch):
    monkeypatch.setenv("HF_TOKEN", "hf_from_environment")
    hub.add_repo(REPO, SAMPLE_README)
    client.head_commit(REPO)
    assert "authorization" not in hub.received[0].headers


def test_text_is_kept_exactly_byte_order_mark_and_line_endings_too(hub):
    text = "\ufeff" + SAMPLE_README.replace("\n", "\r\n")
    hub.add_repo(REPO, text)
    assert client.fetch_readme(REPO).text == text


# ---- faults


def test_missing_repository(hub):
    with pytest.raises(RepoNotFound, match="acme/nothing does not exist on the Hub"):
        client.fetch_readme("acme/nothing")


def test_missing_revision(hub):
    hub.add_repo(REPO, SAMPLE_README)
    with pytest.raises(RevisionNotFound, match="no branch, tag or commit"):
        client.head_commit(REPO, "no-such-branch")


def test_private_repository_without_access_is_refused_as_gated_or_private(hub):
    hub.add_repo("acme/secret", SAMPLE_README, private=True)
    with pytest.raises(RepoGated, match=r"refused to show acme/secret \(HTTP 401\): it is private or gated"):
        client.fetch_readme("acme/secret")


def test_private_repository_with_a_readers_token(hub, settings):
    hub.add_repo("acme/secret", SAMPLE_README, private=True, readers={"hf_reader"})
    hub.tokens["hf_reader"] = "read"
    settings.HUB_TOKEN = "hf_reader"
    assert client.fetch_readme("acme/secret").text == SAMPLE_README


@pytest.mark.parametrize(("token", "status"), [("", "401"), ("hf_reader", "403")])
def test_gated_repository_readme_is_refused(hub, settings, token, status):
    hub.add_repo("acme/gated", SAMPLE_README, gated=True)
    hub.tokens["hf_reader"] = "read"
    settings.HUB_TOKEN = token
    assert client.head_commit("acme/gated")  # a gated repository's metadata is public
    with pytest.raises(RepoGated, match="acme/gated is gated"):
        client.fetch_readme("acme/gated")
    assert hub.received[-1].path.endswith("/README.md")


def test_invalid_token_is_refused(hub, settings):
    settings.HUB_TOKEN = "hf_expired"
    hub.add_repo(REPO, SAMPLE_README)
    with pytest.raises(TokenRefused, match="invalid or expired"):
        client.head_commit(REPO)


def test_missing_readme(hub):
    commit = hub.add_repo(REPO, None)
    with pytest.raises(ReadmeMissing, match=f"{REPO} has no README.md at {commit[:7]}"):
        client.fetch_readme(REPO)


def test_readme_over_the_size_limit_is_refused_from_its_length(hub, settings):
    settings.HUB_README_MAX_BYTES = 1000
    hub.add_repo(REPO, "x" * 5000)
    with pytest.raises(ReadmeTooLarge, match="is 5,000 bytes; a card may be at most 1,000 bytes"):
        client.fetch_readme(REPO)


def test_readme_without_a_length_is_cut_off_at_the_limit(hub, settings):
    settings.HUB_README_MAX_BYTES = 100_000
    hub.readme_without_length = True
    hub.add_repo(REPO, "x" * 1_000_000)
    with pytest.raises(ReadmeTooLarge, match="more than 100,000 bytes"):
        client.fetch_readme(REPO)


def test_readme_that_is_not_utf8_is_refused(hub):
    hub.add_repo(REPO, b"---\nlicense: mit\n---\n# Caf\xe9\n")
    with pytest.raises(ReadmeNotUtf8, match=r"is not valid UTF-8 \(byte 26\)"):
        client.fetch_readme(REPO)


@pytest.mark.parametrize("path", ["/api/models/", "/resolve/"])
def test_rate_limit_gives_retry_after(hub, path):
    hub.add_repo(REPO, SAMPLE_README)
    hub.fail("429", path=path, retry_after=42)
    with pytest.raises(RateLimited, match="try again in 42 seconds") as caught:
        client.fetch_readme(REPO)
    assert caught.value.retry_after == 42
    assert len(hub.received) == (1 if path == "/api/models/" else 2)  # no silent retry


def test_rate_limit_without_retry_after_waits_a_minute(hub):
    hub.add_repo(REPO, SAMPLE_README)
    hub.fail("429", retry_after=None)
    with pytest.raises(RateLimited) as caught:
        client.head_commit(REPO)
    assert caught.value.retry_after == 60


@pytest.mark.parametrize("status", ["500", "502", "503"])
def test_server_errors_are_unavailability(hub, status):
    hub.add_repo(REPO, SAMPLE_README)
    hub.fail(status)
    with pytest.raises(HubUnavailable, match=f"HTTP {status}"):
        client.head_commit(REPO)


@pytest.mark.parametrize("path", ["/api/models/", "/resolve/"])
def test_timeout_is_unavailability(hub, settings, path):
    settings.HUB_TIMEOUT = 0.3
    hub.add_repo(REPO, SAMPLE_README)
    hub.fail("slow", path=path, seconds=5)
    started = time.monotonic()
    with pytest.raises(HubUnavailable, match="did not answer within 0.3 seconds"):
        client.fetch_readme(REPO)
    assert time.monotonic() - started < 3


@pytest.mark.parametrize("path", ["/api/models/", "/resolve/"])
def test_connection_reset_is_unavailability(hub, path):
    hub.add_repo(REPO, SAMPLE_README)
    hub.fail("reset", path=path)
    with pytest.raises(HubUnavailable, match="could not be reached"):
        client.fetch_readme(REPO)


def test_nothing_listening_is_unavailability(settings):
    settings.HUB_ENDPOINT = "http://127.0.0.1:9"
    with pytest.raises(HubUnavailable):
        client.head_commit(REPO)


# ---- writing, as the pull requests will (api + translate_errors)


def _propose(text: str):
    with client.translate_errors(repo_id=REPO, write=True):
        return client.write_api().create_commit(
            REPO,
            [CommitOperationAdd("README.md", text.encode())],
            commit_message="Update the model card",
            commit_description="From Model Card Commons",
            create_pr=True,
        )


def test_pull_request_is_opened_with_a_write_token(hub, settings):
    base = hub.add_repo(REPO, SAMPLE_README)
    hub.tokens["hf_writer"] = "write"
    settings.HUB_TOKEN = "hf_writer"
    info = _propose(SAMPLE_README + "\nProposed.\n")
    assert info.pr_url == f"{hub.url}/{REPO}/discussions/1"
    assert info.pr_num == 1
    assert hub.readme(REPO, "refs/pr/1").endswith("Proposed.\n")
    assert hub.head(REPO) == base  # main is untouched until a maintainer merges
    commit = hub.requests(method="POST", path="/commit/")[0]
    assert commit.path == f"/api/models/{REPO}/commit/main" and commit.query["create_pr"] == ["1"]
    assert commit.headers["authorization"] == "Bearer hf_writer"
    assert commit.headers["content-type"] == "application/x-ndjson"
    pr = client.api().get_discussion_details(REPO, 1)
    assert (pr.is_pull_request, pr.status, pr.target_branch) == (True, "open", "refs/heads/main")
    merge = hub.merge_pr(REPO, 1)
    assert client.api().get_discussion_details(REPO, 1).merge_commit_oid == merge
    assert [d.num for d in client.api().get_repo_discussions(REPO, discussion_type="pull_request")] == [1]


def test_write_without_a_token_is_refused_before_any_request(hub):
    hub.add_repo(REPO, SAMPLE_README)
    with pytest.raises(TokenMissing, match="HUB_TOKEN"):
        _propose("changed")
    assert hub.received == []


def test_read_only_token_is_refused_on_a_write(hub, settings):
    hub.add_repo(REPO, SAMPLE_README)
    hub.tokens["hf_reader"] = "read"
    settings.HUB_TOKEN = "hf_reader"
    with pytest.raises(TokenRefused, match=r"HTTP 403\): the token \(HUB_TOKEN\) lacks the rights"):
        _propose(SAMPLE_README + "\nProposed.\n")
    assert hub.pull_requests(REPO) == []


def test_metadata_the_hub_refuses_on_a_write(hub, settings):
    hub.add_repo(REPO, SAMPLE_README)
    hub.tokens["hf_writer"] = "write"
    settings.HUB_TOKEN = "hf_writer"
    hub.yaml_errors = ['"license" must be one of [apache-2.0, mit, ...]']
    with pytest.raises(HubError, match=r"refused the README.md's metadata: \"license\" must be one of"):
        _propose(SAMPLE_README + "\nProposed.\n")
    assert hub.pull_requests(REPO) == []


def test_programming_errors_are_not_disguised(hub):
    with pytest.raises(ValueError, match="empty"), client.translate_errors(repo_id=REPO, write=True):
        client.api().create_commit(REPO, [], commit_message="")


def test_write_to_a_missing_repository(hub, settings):
    hub.tokens["hf_writer"] = "write"
    settings.HUB_TOKEN = "hf_writer"
    with pytest.raises(RepoNotFound):
        _propose("changed")


def test_commits_are_listed_newest_first(hub):
    first = hub.add_repo(REPO, SAMPLE_README)
    second = hub.set_readme(REPO, SAMPLE_README + "\nMore.\n")
    with client.translate_errors(repo_id=REPO):
        commits = client.api().list_repo_commits(REPO)
    assert [c.commit_id for c in commits] == [second, first]
    assert hub.received[0].path == f"/api/models/{REPO}/commits/main"
