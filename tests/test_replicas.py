"""Read replicas: reads go to a replica, writes and a writer's next reads to the primary.

The test settings add `replica1`, a mirror of the default database (TEST["MIRROR"]): the same data
through a second connection, so each query shows which alias the router chose.
"""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from config import replicas
from config.replicas import PIN_COOKIE, ReplicaRouter, primary_reads, replica_databases
from modelcards.models import ModelCard

ROUTED = {"databases": ["default", "replica1"], "transaction": True}


def test_each_replica_url_becomes_an_alias_that_is_never_migrated():
    databases = replica_databases(
        ["postgres://reader@db-2:5432/mcc", "postgres://reader@db-3:5432/mcc"], conn_max_age=60
    )
    assert list(databases) == ["replica1", "replica2"]
    assert databases["replica2"]["HOST"] == "db-3" and databases["replica2"]["CONN_MAX_AGE"] == 60
    router = ReplicaRouter()
    assert router.allow_migrate("default", "modelcards") and not router.allow_migrate(
        "replica1", "modelcards"
    )


def test_outside_a_request_everything_reads_the_primary():
    router = ReplicaRouter()
    assert router.replicas == ["replica1"]
    assert router.db_for_read(ModelCard) == "default"
    assert router.db_for_write(ModelCard) == "default"


def test_safe_requests_read_a_replica_unless_told_to_read_the_primary():
    router = ReplicaRouter()
    token = replicas._primary_only.set(False)
    try:
        assert router.db_for_read(ModelCard) == "replica1"
        with primary_reads():
            assert router.db_for_read(ModelCard) == "default"
        assert router.db_for_read(ModelCard) == "replica1"
    finally:
        replicas._primary_only.reset(token)


@pytest.fixture
def routed(settings):
    settings.DATABASE_ROUTERS = ["config.replicas.ReplicaRouter"]
    settings.MIDDLEWARE = [
        "config.replicas.PrimaryAfterWriteMiddleware",
        *settings.MIDDLEWARE,
    ]
    settings.MODELCARDS_PAGE_CACHE = False
    settings.ACCOUNTS_CACHE_SIGNED_IN_USERS = False


def _reads(client, url, **extra):
    """How many queries a GET sent to the primary and to the replica."""
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica1"]) as replica,
    ):
        response = client.get(url, **extra)
    assert response.status_code == 200, url
    return len(primary), len(replica)


@pytest.mark.django_db(**ROUTED)
def test_reads_go_to_the_replica_and_a_writer_reads_the_primary_just_after(routed, client, card, user):
    primary, replica = _reads(client, "/cards/sample/")
    assert replica > 0 and primary == 0
    client.force_login(user)
    client.cookies.pop(PIN_COOKIE, None)  # logging in wrote the session; start from an unpinned browser
    assert _reads(client, "/cards/sample/")[0] == 0
    with CaptureQueriesContext(connections["replica1"]) as replica_during_write:
        response = client.post("/cards/sample/watch/", {"watch": "1"})
    assert response.status_code == 302 and len(replica_during_write) == 0
    pin = response.cookies[PIN_COOKIE]
    assert pin["max-age"] == replicas.PIN_SECONDS and pin["httponly"]
    primary, replica = _reads(client, "/cards/sample/")
    assert primary > 0 and replica == 0
    assert "Unwatch" in client.get("/cards/sample/").content.decode()  # the writer sees their own change
    client.cookies.pop(PIN_COOKIE)  # the cookie has expired
    primary, replica = _reads(client, "/cards/sample/")
    assert replica > 0 and primary == 0


@pytest.mark.django_db(**ROUTED)
def test_a_read_that_writes_nothing_does_not_pin(routed, client, card):
    response = client.get("/cards/sample/")
    assert PIN_COOKIE not in response.cookies


@pytest.mark.django_db(**ROUTED)
def test_pages_stored_for_everyone_are_read_from_the_primary(routed, client, card, settings):
    settings.MODELCARDS_PAGE_CACHE = True
    primary, replica = _reads(client, "/cards/sample/")  # fills the shared cache
    assert primary > 0 and replica == 0
    assert _reads(client, "/cards/sample/") == (0, 0)  # served from the cache
    _primary, replica = _reads(client, "/suggestions/")  # not a cached page: read from the replica
    assert replica > 0


@pytest.mark.django_db(**ROUTED)
def test_accounts_kept_in_the_shared_cache_are_read_from_the_primary(routed, client, card, user, settings):
    """A lagging replica could hand back rights that were just taken away, to be kept in the cache."""
    settings.ACCOUNTS_CACHE_SIGNED_IN_USERS = True
    client.force_login(user)
    client.cookies.pop(PIN_COOKIE, None)

    def account_reads(alias):
        # Reads of the account itself; the card's own query joins accounts for who protected it.
        return [query for query in alias.captured_queries if 'FROM "accounts_user"' in query["sql"]]

    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica1"]) as replica,
    ):
        assert client.get("/cards/sample/").status_code == 200
    assert account_reads(primary) and not account_reads(replica)
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica1"]) as replica,
    ):
        assert client.get("/cards/sample/").status_code == 200
    assert not account_reads(primary) and not account_reads(replica)  # kept in the cache
