"""Django's Redis cache backend, keeping one redis-py client per connection pool.

Django's client makes a new `redis.Redis` object for every cache call, and redis-py builds a table of
about 170 response callbacks for each one: around a tenth of a millisecond, several times per request
(session, cached page, rendered Markdown, rate limits). A redis-py client is safe to share between
threads, so one per pool does the same work without the rebuilding. Keys are not checked against
memcached's rules either, which Redis does not have. Everything else is Django's.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    def validate_key(self, key):
        """Redis takes any key, so skip Django's character-by-character checks for memcached's limits."""
