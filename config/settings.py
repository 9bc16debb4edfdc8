"""Project settings, read from the environment so one file serves development, CI and production."""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG-on"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "reversion",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # the API's framework; listed so its docs page loads Swagger UI from our static files
    "accounts",
    "modelcards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A 404 under a renamed card's old slug becomes a 301 to its new one (pages, exports, feeds, API).
    "modelcards.governance.renames.RenamedCardMiddleware",
    # /api/ only: kept answers served at once, CORS for reads, JSON bodies checked, one error shape.
    "modelcards.api.middleware.ApiBoundaryMiddleware",
    # Stored pages for visitors without cookies, replayed before the rest of the stack runs.
    "modelcards.pagecache.CachedPageMiddleware",
    "csp.middleware.CSPMiddleware",
    "modelcards.middleware.RefuseForeignCharsetMiddleware",  # before anything reads request.POST
    "modelcards.middleware.RefuseOversizedMiddleware",
    "modelcards.middleware.RefuseNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "modelcards.middleware.SignedOutPostMiddleware",
    # A stored version whose data cannot be read back: a clear 410 page (or API error), not a 500.
    "modelcards.unreadable.UnreadableVersionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout signalled during login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "modelcards.context_processors.review_queue",
                "modelcards.context_processors.inbox_count",
                "modelcards.context_processors.site_links",
            ],
            # Every form shown to a signed-in person says so, for SignedOutPostMiddleware.
            "builtins": ["modelcards.templatetags.formguard"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let concurrent requests wait for the write lock instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    INSTALLED_APPS.append("django.contrib.postgres")  # full-text search with ranking

# Optional read replicas (replica1, replica2 …): reads go there, except right after a visitor's own write.
DATABASE_REPLICA_URLS = env_list("DATABASE_REPLICA_URLS")
if DATABASE_REPLICA_URLS:
    from config.replicas import replica_databases

    DATABASES.update(
        replica_databases(DATABASE_REPLICA_URLS, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"])
    )
    DATABASE_ROUTERS = ["config.replicas.ReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
        "config.replicas.PrimaryAfterWriteMiddleware",
    )

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.redis_cache.RedisCache",  # Django's, minus a client per call
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", ""),
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "modelcards",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first, so a locked-out client is refused before its password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.identity.CachedModelBackend",  # Django's ModelBackend, signed-in users cached between requests
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "modelcards:home"
LOGOUT_REDIRECT_URL = "modelcards:home"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_MANIFEST_STRICT = False

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Model Card Commons <noreply@localhost>")
# A send that hangs gives up after this many seconds and is retried; well inside the ten minutes for
# which modelcards/outbox.py holds a mail back while an attempt is under way.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))

# Background tasks (django-tasks, the backport of Django 6's Tasks API) kept in the site's own database
# (django-tasks-db), so a task is queued in the same transaction as the change it follows. Workers:
# `manage.py db_worker`, beside the app servers (`make run` starts one).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Request limits, set explicitly so oversized or field-stuffed posts get a 400, not a crash.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200
DATA_UPLOAD_MAX_NUMBER_FILES = 5
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# No inline script or style anywhere: templates load site.css and static JS files only, and user
# Markdown is sanitised to plain markup. Card images may come from any HTTPS host, as on the Hub.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "https:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# A failed CSRF check (an expired session, a page left open overnight) shows the typed text back.
CSRF_FAILURE_VIEW = "modelcards.views.refusals.csrf_failure"

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if env_bool("TRUST_X_FORWARDED_PROTO", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Site policy.
MODELCARDS_MAX_CARD_BYTES = int(os.environ.get("MAX_CARD_BYTES", str(512 * 1024)))
MODELCARDS_DEMO_MODE = env_bool("DEMO_MODE", False)
# Whole pages for anonymous readers (modelcards/pagecache.py). Their invalidation counters live in the
# cache, so every process serving the site must share it: on by default only with Redis.
MODELCARDS_PAGE_CACHE = env_bool("PAGE_CACHE", bool(REDIS_URL))
# How long each app-server process keeps a stored page it answered at the WSGI door in its own memory,
# answering it again without asking the shared cache (modelcards/wsgi_door.py). A change made through
# another process reaches cookie-less readers of this one at most this late; 0 turns it off.
MODELCARDS_PAGE_HOLD_SECONDS = float(os.environ.get("PAGE_HOLD_SECONDS", "1"))
MODELCARDS_PAGE_HOLD_BYTES = int(os.environ.get("PAGE_HOLD_BYTES", str(16 * 1024 * 1024)))
# Signed-in users' rows and permissions kept between requests (accounts/identity.py): the same condition.
ACCOUNTS_CACHE_SIGNED_IN_USERS = MODELCARDS_PAGE_CACHE
# `make bench` only: a bare view measuring the ceiling of the middleware stack (bench/views.py).
MODELCARDS_BENCH_VIEWS = env_bool("BENCH_VIEWS", False)
# Published dumps (`manage.py publish_dumps`, served at /dumps/): where they are kept, and how many.
MODELCARDS_DUMPS_DIR = Path(os.environ.get("DUMPS_DIR", BASE_DIR / "dumps"))
MODELCARDS_DUMPS_KEEP = int(os.environ.get("DUMPS_KEEP", "3"))

# The Hugging Face Hub (modelcards/hub/): where cards are imported from and kept in step with.
HUB_ENDPOINT = (
    os.environ.get("HUB_ENDPOINT") or os.environ.get("HF_ENDPOINT") or "https://huggingface.co"
).rstrip("/")
# Read access to gated or private repositories, and write access for proposing changes back.
HUB_TOKEN = os.environ.get("HUB_TOKEN") or os.environ.get("HF_TOKEN") or ""
HUB_TIMEOUT = float(os.environ.get("HUB_TIMEOUT", "10"))  # seconds, for every request to the Hub
# A README.md larger than a card may be is refused before it is read in full.
HUB_README_MAX_BYTES = MODELCARDS_MAX_CARD_BYTES
# The periodic upstream check and pull requests; off unless asked for, so `make run` stays offline.
HUB_SYNC_ENABLED = env_bool("HUB_SYNC", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own console handler would print each of its lines a second time beside the root's
        # ("Watching for file changes" twice under `make run`): its lines go through the root alone.
        "django": {"handlers": []},
        "django.request": {"level": "ERROR"},
    },
}

AUTH_USER_MODEL = "accounts.User"
# The site's own address: every link in a mail (password resets included) starts with it, never with
# the Host a request happened to carry. Unset, it is the development server under DEBUG, else the
# first host named in ALLOWED_HOSTS over HTTPS (`manage.py check --deploy` warns if there is none).
SITE_URL = os.environ.get("SITE_URL", "").strip().rstrip("/")
if not SITE_URL:
    _named_hosts = [host for host in ALLOWED_HOSTS if host != "*" and not host.startswith(".")]
    SITE_URL = f"https://{_named_hosts[0]}" if _named_hosts and not DEBUG else "http://127.0.0.1:8000"
_site = urlsplit(SITE_URL)
if _site.scheme not in ("http", "https") or not _site.hostname or _site.path or _site.query or _site.fragment:
    raise ImproperlyConfigured(
        "SITE_URL must be the site's address alone, such as https://cards.example.org."
    )

# Abuse protection: rates per account or anonymous IP hash ("count/period", period s/m/h/d).
MODELCARDS_RATE_LIMITS = {
    "suggest": os.environ.get("RATE_LIMIT_SUGGEST", "10/h"),
    "comment": os.environ.get("RATE_LIMIT_COMMENT", "30/h"),
    # Typing with a 400 ms pause makes a few previews a second at most; this only stops floods.
    "preview": os.environ.get("RATE_LIMIT_PREVIEW", "240/m"),
    "password_reset": os.environ.get("RATE_LIMIT_PASSWORD_RESET", "5/h"),
    "verify_email": os.environ.get("RATE_LIMIT_VERIFY_EMAIL", "5/h"),
}
# A second limit keyed on the address hash alone, shared by every account and anonymous visitor at one
# address, so that many accounts from one address do not multiply the quota (issue 15 item 8).
MODELCARDS_ADDRESS_RATE_LIMITS = {
    "suggest": os.environ.get("RATE_LIMIT_SUGGEST_PER_ADDRESS", "20/h"),
}
MODELCARDS_TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
MODELCARDS_IP_HASH_SALT = os.environ.get("IP_HASH_SALT", "") or ("ip-hash:" + SECRET_KEY)
MODELCARDS_REQUIRE_ACCOUNT_TO_SUGGEST = env_bool("REQUIRE_ACCOUNT_TO_SUGGEST", False)
MODELCARDS_HOLD_LINKS_OVER = int(os.environ.get("HOLD_LINKS_OVER", "10"))
# Semi-protected cards take suggestions only from accounts at least this many days old.
PROTECTION_MIN_ACCOUNT_DAYS = int(os.environ.get("PROTECTION_MIN_ACCOUNT_DAYS", "4"))
# Trusted contributors (issue 15 item 1): an account meeting every threshold is trusted, unless a
# moderator decided otherwise by hand; a trusted account's suggestion on an unprotected card is
# published at once, marked "autoreviewed", and listed for moderators to look over.
TRUSTED_MIN_ACCEPTED = int(os.environ.get("TRUSTED_MIN_ACCEPTED", "10"))
TRUSTED_MIN_ACCOUNT_DAYS = int(os.environ.get("TRUSTED_MIN_ACCOUNT_DAYS", "30"))
TRUSTED_REQUIRE_VERIFIED_EMAIL = env_bool("TRUSTED_REQUIRE_VERIFIED_EMAIL", True)
# Verified maintainers (item 2): whether a maintainer's suggestion on their own card is autoreviewed.
MAINTAINER_SUGGESTIONS_AUTO_ACCEPT = env_bool("MAINTAINER_SUGGESTIONS_AUTO_ACCEPT", False)
# Re-review (issue 16 item 5): a card no moderator has reviewed for this many days (counted from its
# creation if never) is listed on /due-for-review/, and its maintainers and watchers are reminded.
REVIEW_DUE_DAYS = int(os.environ.get("REVIEW_DUE_DAYS", "180"))
# Accounts younger than this many days (and unverified ones) keep the link hold of anonymous visitors.
LINK_HOLD_ACCOUNT_DAYS = int(os.environ.get("LINK_HOLD_ACCOUNT_DAYS", "7"))
# Sign-up: at most SIGNUP_PER_ADDRESS accounts per address hash in SIGNUP_WINDOW_HOURS, counted from
# the accounts' stored hashes so that the limit holds across app servers.
SIGNUP_PER_ADDRESS = int(os.environ.get("SIGNUP_PER_ADDRESS", "3"))
SIGNUP_WINDOW_HOURS = int(os.environ.get("SIGNUP_WINDOW_HOURS", "24"))
# How long a link to verify an email address, or to confirm a new one, stays good.
EMAIL_LINK_HOURS = int(os.environ.get("EMAIL_LINK_HOURS", "72"))
RATELIMIT_USE_CACHE = "default"

# Login throttling by django-axes. A (username, client) pair is locked after repeated failures, so a
# stranger typing someone's name cannot lock a person out; a client is paused on every account after
# a larger number of failures across usernames (accounts/login_throttle.py), so one address cannot try
# a few passwords on each of many accounts, while a shared office address still has room for typos.
# The client is the same proxy-aware address the rate limits use, and axes only ever sees (stores,
# logs) its keyed hash, never the address itself.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
ACCOUNTS_LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("LOGIN_ADDRESS_FAILURE_LIMIT", "20"))
AXES_COOLOFF_TIME = float(os.environ.get("LOGIN_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "accounts.login_throttle.PerAddressLimitHandler"
AXES_CLIENT_IP_CALLABLE = "modelcards.limits.client_pseudonym"
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False  # no "AXES: BEGIN" banner on every command and server start
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
