"""Django's Redis cache, made optional: when Redis cannot be reached every operation behaves
as a miss (get -> default, add/set -> not stored, incr -> ValueError as for a missing key)
instead of raising, so a page that caches is computed afresh and a cache outage never becomes
a 500. Settings point CACHES at it whenever REDIS_URL is set."""

import functools
import logging
import time

import redis
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

# After a failure the cache is skipped this long: each call would otherwise wait for its own
# connection attempt (a refused port fails at once, an unreachable host takes the timeout).
RETRY_AFTER_SECONDS = 30

UNREACHABLE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


def _forgiving(miss):
    """Run the operation; on a connection failure log it, skip Redis for a while and return
    what a miss returns (`miss(*args, **kwargs)`)."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            if not self.reachable:
                return miss(*args, **kwargs)
            try:
                return method(self, *args, **kwargs)
            except UNREACHABLE as error:
                logger.warning("cache unreachable, serving without it: %r", error)
                self._skip_until = time.monotonic() + RETRY_AFTER_SECONDS
                return miss(*args, **kwargs)

        return wrapper

    return decorate


def _missing_key(key, *args, **kwargs):
    raise ValueError(f"Key {key!r} not found (the cache is unreachable).")


class ForgivingRedisCache(RedisCache):
    """A RedisCache whose outage is a miss. Django keeps one instance per thread, so the
    'skip Redis for a while' state is per worker thread."""

    _skip_until = 0.0

    @property
    def reachable(self) -> bool:
        return time.monotonic() >= self._skip_until

    get = _forgiving(lambda key, default=None, version=None: default)(RedisCache.get)
    get_many = _forgiving(lambda keys, version=None: {})(RedisCache.get_many)
    has_key = _forgiving(lambda *args, **kwargs: False)(RedisCache.has_key)
    add = _forgiving(lambda *args, **kwargs: False)(RedisCache.add)
    set = _forgiving(lambda *args, **kwargs: None)(RedisCache.set)
    set_many = _forgiving(lambda data, *args, **kwargs: list(data))(RedisCache.set_many)
    touch = _forgiving(lambda *args, **kwargs: False)(RedisCache.touch)
    incr = _forgiving(_missing_key)(RedisCache.incr)
    delete = _forgiving(lambda *args, **kwargs: False)(RedisCache.delete)
    delete_many = _forgiving(lambda *args, **kwargs: None)(RedisCache.delete_many)
    clear = _forgiving(lambda *args, **kwargs: False)(RedisCache.clear)


def cache_reachable() -> bool:
    """False while the default cache is a Redis that has just failed to answer (pages say
    so: they are computed afresh and may be slow)."""
    return getattr(cache, "reachable", True)
