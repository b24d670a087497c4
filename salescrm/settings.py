"""SalesCRM settings. Everything that varies between machines is read here, from the
environment, and nowhere else (see .env.example)."""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=True)
DEVELOPMENT_SECRET_KEY = "insecure-dev-key-only-for-the-embedded-demo-never-in-production"
SECRET_KEY = env("DJANGO_SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    # The development key is public (it is in this file): sessions, password-reset links and
    # signed values made with it can be forged by anyone. Production must bring its own.
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set to a long random value when DJANGO_DEBUG=0."
    )
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Our apps first: for one msgid the catalogue of the app listed first wins, and our
    # wording (筛选, not Django admin's 过滤器) must win on our pages.
    "salescrm",
    "leads",
    "customers",
    "targets",
    "performance",
    "enablement",
    "channels",
    "analytics",
    "rhythm",
    "success",
    "customfields",
    "api",
    "documents",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "simple_history",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "salescrm.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed (static files are precompressed by WhiteNoise, which answers first):
    # the director's dashboard is 160 KB of HTML (figures and tables inline), 17 KB gzipped.
    # Django adds random bytes against BREACH.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a login unless its view is marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "salescrm.middleware.UserLanguageMiddleware",
    # A partner portal login reaches the portal's pages only; anything else is a 404.
    "channels.middleware.PartnerPortalMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so that it sees the outcome of the login view.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "salescrm.urls"
WSGI_APPLICATION = "salescrm.wsgi.application"

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
                "django.template.context_processors.i18n",
                "salescrm.context_processors.navigation",
                "salescrm.context_processors.permissions",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections in production: a new PostgreSQL connection per request cost the
# trivial page two thirds of its throughput under load (bench/README.md, issue 21). The health
# check pings a reused connection at the start of a request, so a restarted database costs one
# failed ping, not an error page. Development (DEBUG) keeps one connection per request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=0 if DEBUG else 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("DJANGO_CONN_HEALTH_CHECKS", default=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "salescrm.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses locked-out (username, IP) pairs before any password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Brute-force protection. The (username, IP) pair is locked after AXES_FAILURE_LIMIT
# failures, so one address cannot keep guessing; the username alone is locked after the
# higher AXES_USER_FAILURE_LIMIT failures from any number of addresses, so guessing one
# account from many addresses is limited too (the user and the administrators are notified:
# salescrm.lockout). Both locks last AXES_COOLOFF_TIME hours; an administrator can lift them
# in admin -> Axes -> Access attempts.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_USER_FAILURE_LIMIT = env.int("AXES_USER_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = 1  # hours
AXES_HANDLER = "salescrm.lockout.LoginLockHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The client address (salescrm.clientip): REMOTE_ADDR, which behind a proxy is the proxy's
# own address, so every user would share one lock. Behind the TLS proxy set
# DJANGO_TRUSTED_PROXY_COUNT to the number of proxies in front of the app (usually 1): the
# address is then read from X-Forwarded-For, that many entries from the right, so whatever a
# client writes into the header itself is ignored. The proxy must append the peer address
# (nginx: proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for). The capture form's
# per-IP rate limit reads the same address.
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "salescrm.clientip.client_ip"
RATELIMIT_IP_META_KEY = "salescrm.clientip.client_ip"

# E-mail: DJANGO_EMAIL_URL such as smtp+tls://user:password@mail.example.com:587. Unset, no
# mail can be sent, so the password-reset page tells users to ask an administrator instead
# of promising a message that never comes.
EMAIL_URL = env("DJANGO_EMAIL_URL", default="")
if EMAIL_URL:
    globals().update(env.email_url("DJANGO_EMAIL_URL"))
    DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="salescrm@localhost")
else:
    # The demo: a message (an alert a user opted into) is printed on the console.
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
PASSWORD_RESET_BY_EMAIL = bool(EMAIL_URL)
# The address customers reach the site at, for links sent by e-mail outside a request (the
# survey links of customer success).
PUBLIC_BASE_URL = env("DJANGO_PUBLIC_URL", default="http://localhost:8000").rstrip("/")

# Content-Security-Policy (salescrm.middleware.ContentSecurityPolicyMiddleware): every
# script, style, font and image is served from this site (static/), no script is inline (the
# pages' scripts are in static/js/, the charts' data in JSON blocks), so scripts from
# anywhere else, inline scripts and event-handler attributes never run. Inline *styles* are
# allowed: plotly.js injects its own style rules and draws nothing without them (the browser
# test of the dashboard fails with style-src 'self'), and a style cannot run code.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date and number format per language, the same on every page (salescrm/formats/).
FORMAT_MODULE_PATH = ["salescrm.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
MEDIA_ROOT = env("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Documents on records (documents/): kept by the default storage, local files under MEDIA_ROOT,
# or an S3-compatible bucket when DJANGO_S3_BUCKET is set (django-storages; private objects,
# served only through the scoped download view). DOCUMENT_MAX_BYTES caps one file.
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)
S3_BUCKET = env("DJANGO_S3_BUCKET", default="")
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env("DJANGO_S3_ENDPOINT_URL", default=None),
            "region_name": env("DJANGO_S3_REGION", default=None),
            "access_key": env("DJANGO_S3_ACCESS_KEY", default=None),
            "secret_key": env("DJANGO_S3_SECRET_KEY", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Request limits sized to the real forms: the largest (a contract at its 30 lines and 60
# instalments, a target grid of a large team) send a few hundred fields and a few tens of
# kilobytes. Larger bodies are refused with 400 before any form is built. Uploaded files are
# not counted here: the lead import's own limit is leads.forms.MAX_UPLOAD_BYTES.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

# Lead import limits (leads/importing.py): reading stops as soon as one is passed. An XLSX
# is refused before it is opened when its parts would unpack to more than the size, or when
# a part over 1 MB is compressed more than the ratio (real sheets compress 10-25 times).
LEAD_IMPORT_MAX_ROWS = 200_000
LEAD_IMPORT_MAX_UNPACKED_BYTES = 250 * 1024 * 1024
LEAD_IMPORT_MAX_COMPRESSION_RATIO = 100

# REST API (api/): token or session authentication, cursor pages, django-filter filters, a
# rate per token (API_THROTTLE_RATE, e.g. "600/min"), errors as JSON (api/errors.py).
API_THROTTLE_RATE = env("API_THROTTLE_RATE", default="600/min")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        # the browser: unsafe methods need the CSRF token, as on every page
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.TokenScope"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.PerTokenThrottle"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "api.schema.ApiAutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "COERCE_DECIMAL_TO_STRING": True,
}
# Webhooks (api/webhooks.py): attempts per delivery, the first back-off (doubling each retry),
# failed attempts in a row that disable an endpoint; plain http:// endpoints only for tests.
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=5)
WEBHOOK_BACKOFF_SECONDS = env.int("WEBHOOK_BACKOFF_SECONDS", default=30)
WEBHOOK_DISABLE_AFTER_FAILURES = env.int("WEBHOOK_DISABLE_AFTER_FAILURES", default=10)
WEBHOOK_ALLOW_HTTP = False
SPECTACULAR_SETTINGS = {
    "TITLE": "SalesCRM API",
    "DESCRIPTION": "Leads, customers, contracts, payments, targets, scorecards, commission "
    "statements and notifications, scoped as in the web app. Authenticate with a personal "
    "token (Authorization: Bearer <token>) from your profile page.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "PaymentMethodEnum": "customers.models.Contract.PaymentMethod",
        "TierEnum": "customers.models.Tier",
        "StageEnum": "leads.models.Lead.Stage",
        "DocumentKindEnum": "documents.models.Document.Kind",
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Dashboards keep their rendered charts this many seconds per reader and filters (0: off).
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=300)
# How far back the nightly dashboard facts catch up on periods not computed to their end (the
# first night fills this much history, which the year-over-year and forecast charts read).
DASHBOARD_FACTS_HISTORY_MONTHS = env.int("DASHBOARD_FACTS_HISTORY_MONTHS", default=36)

# Redis: broker for Celery and Django's cache. Unset: tasks run eagerly in-process and the
# cache is per-process memory (the embedded demo).
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # An outage is a cache miss, not a 500 (salescrm/cache.py); short timeouts so a
            # lost Redis host costs a page a second, not a minute.
            "BACKEND": "salescrm.cache.ForgivingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("DJANGO_CACHE_PREFIX", default="salescrm"),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    # The embedded demo is one process: a per-process cache is the shared cache.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The stage-history index INCLUDEs a column, a PostgreSQL covering index; SQLite builds
    # it without the included column, which is all the demo needs (models.W040 says so).
    SILENCED_SYSTEM_CHECKS = [*globals().get("SILENCED_SYSTEM_CHECKS", []), "models.W040"]

# The public capture form's rate limit lives in the cache. While Redis is down it lets posts
# through: a real enquiry lost is worse than a burst of spam for the minutes of an outage
# (the honeypot still drops bots, and /healthz reports the outage).
RATELIMIT_FAIL_OPEN = True

CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Long nightly jobs on Redis: acknowledge after the work, give back the task if the worker
# dies, and keep the time limits below the broker's visibility timeout so a running task is
# never handed to a second worker.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 50 * 60
CELERY_TASK_TIME_LIMIT = 55 * 60
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60}
CELERY_RESULT_EXPIRES = 24 * 60 * 60
# 00:30 Asia/Shanghai is 16:30 UTC of the day before. The jobs compute the business date
# (the Shanghai day that has just ended) themselves: see salescrm.timeutil.business_date.
CELERY_BEAT_SCHEDULE = {
    "nightly-jobs": {
        "task": "salescrm.tasks.run_nightly_jobs",
        "schedule": crontab(hour=16, minute=30),
    },
}

# Nightly job knobs: each job task has its own limits, below the task defaults and far below
# the broker's visibility timeout.
NIGHTLY_JOB_SOFT_TIME_LIMIT = 20 * 60
NIGHTLY_JOB_TIME_LIMIT = 25 * 60

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
