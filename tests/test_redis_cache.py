"""The Redis cache backend: Django's, sharing one client per connection pool (needs a Redis server)."""

import os
import secrets

import pytest

from config.redis_cache import RedisCache

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_cache():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError:
        pytest.skip(f"Redis does not answer at {REDIS_URL}")
    backend = RedisCache(REDIS_URL, {"KEY_PREFIX": f"mcc-test-{secrets.token_hex(4)}"})
    yield backend
    backend.delete_many(["page", "count", "x" * 300])


def test_it_stores_reads_and_counts_like_djangos_backend(redis_cache):
    redis_cache.set("page", (("token",), b"<html>"), 60)
    redis_cache.set("count", 1, 60)
    assert redis_cache.get_many(["page", "count", "gone"]) == {"page": (("token",), b"<html>"), "count": 1}
    assert redis_cache.incr("count") == 2
    assert redis_cache.add("count", 5) is False
    redis_cache.set("x" * 300, "long keys are fine in Redis", 60)  # memcached would refuse them
    assert redis_cache.get("x" * 300) == "long keys are fine in Redis"


def test_each_connection_pool_has_one_client(redis_cache):
    client = redis_cache._cache.get_client()
    assert redis_cache._cache.get_client() is client
    assert redis_cache._cache.get_client(write=True) is client  # one server: one pool
