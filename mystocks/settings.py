"""MyStocks Task Center settings, read from the environment (see README: Configuration)."""
import os
import secrets
from pathlib import Path

import dj_database_url

from tasks_app.private_files import private_dir, private_file, write_private

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = private_dir(os.environ.get("MYSTOCKS_VAR_DIR", BASE_DIR / "var"))


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def env_int(name, default):
    return int(os.environ.get(name, default))


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _dev_secret_key():
    """A key generated once into var/ so sessions survive restarts without any configuration."""
    path = VAR_DIR / "secret_key"
    if not path.exists() or not path.read_text().strip():
        write_private(path, secrets.token_urlsafe(50))
    private_file(path)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY") or _dev_secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# --- Deployment behind TLS (README: Deployment) -------------------------------------------------
# MYSTOCKS_HTTPS=true turns on what a site served over HTTPS needs; each setting can be set alone.
HTTPS = env_bool("MYSTOCKS_HTTPS", False)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", HTTPS)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", HTTPS)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto (and strips it from clients).
if env_bool("MYSTOCKS_TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^api/tasks/health/?$", r"^metrics$"]  # probes often speak plain HTTP inside
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Scripts and styles from our own files only (vendored htmx and Chart.js, pages.js); the admin and the
# browsable API / Swagger UI also get inline styles (tasks_app.middleware.ContentSecurityPolicyMiddleware).
MYSTOCKS_CSP = os.environ.get("MYSTOCKS_CSP", (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
))
MYSTOCKS_CSP_INLINE_STYLE_PATHS = ("/admin/", "/api/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_celery_beat",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "tasks_app",
    "mystocks.market",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tasks_app.middleware.RequestSizeLimitMiddleware",
    "tasks_app.middleware.NulInQueryMiddleware",
    "tasks_app.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "tasks_app.throttling.LoginThrottleMiddleware",
    "tasks_app.middleware.AtomicWritesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "mystocks.urls"
WSGI_APPLICATION = "mystocks.wsgi.application"

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
                "mystocks.market.pages.context.market",
            ],
            "libraries": {"pages": "tasks_app.pages.templatetags"},
        },
    },
]

# SQLite is the embedded default: web, worker and beat share one file, so WAL and IMMEDIATE
# transactions keep writers from failing with "database is locked" under concurrent use.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"), conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The file holds API tokens and channel secrets: 0600 before SQLite first writes to it (its
    # -wal and -shm files take the database file's permissions).
    if DATABASES["default"]["NAME"] not in ("", ":memory:") and "mode=memory" not in DATABASES["default"]["NAME"]:
        private_file(DATABASES["default"]["NAME"])
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "pages:dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
private_dir(STATIC_ROOT)  # whitenoise serves from the finders too; an absent root only warns
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# --- Celery -------------------------------------------------------------------------------
# Without CELERY_BROKER_URL the filesystem transport under var/broker/ needs no server.
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem"):
    private_dir(BROKER_DIR)  # messages carry task params
    for sub in ("queue", "processed", "control"):
        private_dir(BROKER_DIR / sub)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),  # broadcast (revoke, inspect); default is the cwd
        "store_processed": False,
        "polling_interval": 0.2,
    }
    # The stock filesystem transport ignores message priority; this one delivers by it.
    CELERY_BROKER_TRANSPORT = "tasks_app.filesystem_broker:Transport"
else:
    # Late acks: an unacked message comes back after the visibility timeout, so it must exceed
    # the longest job plus the longest retry countdown (the runner refuses a second start).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env_int("MYSTOCKS_VISIBILITY_TIMEOUT", 6 * 3600),
        "queue_order_strategy": "priority",
        "priority_steps": list(range(10)),
        "sep": ":",
    }
    if "PYTEST_VERSION" in os.environ:
        # Concurrent test sessions share one Redis: each gets its own key space, inherited by
        # the worker and beat processes the tests start.
        os.environ.setdefault("MYSTOCKS_BROKER_KEY_PREFIX", f"test{os.getpid()}:")
    if os.environ.get("MYSTOCKS_BROKER_KEY_PREFIX"):
        CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = os.environ["MYSTOCKS_BROKER_KEY_PREFIX"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Celery's Django fix-up otherwise closes the database connection around every task, so each
# run would open a new PostgreSQL connection; the runner checks connection health instead.
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 500)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULER = "tasks_app.scheduling:SlotScheduler"
# Beat re-checks the schedule table at least this often, so an edit takes effect within seconds.
CELERY_BEAT_MAX_LOOP_INTERVAL = 2
DJANGO_CELERY_BEAT_TZ_AWARE = True

# --- Task engine ----------------------------------------------------------------------------
MYSTOCKS_LOG_MAX_CHARS = env_int("MYSTOCKS_LOG_MAX_CHARS", 1_000_000)
MYSTOCKS_HEARTBEAT_SECONDS = env_int("MYSTOCKS_HEARTBEAT_SECONDS", 2)
MYSTOCKS_HARD_TIME_LIMIT_GRACE = env_int("MYSTOCKS_HARD_TIME_LIMIT_GRACE", 30)
MYSTOCKS_CANCEL_GRACE_SECONDS = env_int("MYSTOCKS_CANCEL_GRACE_SECONDS", 3)
MYSTOCKS_MAX_RETRY_DELAY = env_int("MYSTOCKS_MAX_RETRY_DELAY", 3600)
MYSTOCKS_MAX_RESTARTS_PER_HOUR = env_int("MYSTOCKS_MAX_RESTARTS_PER_HOUR", 10)
# misfire_policy run_all: at most this many catch-up runs for one gap (the newest slots).
MYSTOCKS_CATCH_UP_MAX_RUNS = env_int("MYSTOCKS_CATCH_UP_MAX_RUNS", 24)
MYSTOCKS_HEARTBEAT_STALE_SECONDS = env_int("MYSTOCKS_HEARTBEAT_STALE_SECONDS", 30)
MYSTOCKS_REAPER_INTERVAL = env_int("MYSTOCKS_REAPER_INTERVAL", 15)
# Market pages: "red_up" (Chinese convention: red rises, green falls) or "green_up".
MYSTOCKS_PRICE_COLORS = os.environ.get("MYSTOCKS_PRICE_COLORS", "red_up")
# Set by `make demo`: every page says the data is simulated.
MYSTOCKS_DEMO = env_bool("MYSTOCKS_DEMO", False)
MYSTOCKS_CACHE_ROOT = Path(os.environ.get("MYSTOCKS_CACHE_ROOT", VAR_DIR / "cache"))
# Further folders the cache cleanup may delete under (absolute cleanup_paths must lie in one root).
MYSTOCKS_CACHE_ROOTS = env_list("MYSTOCKS_CACHE_ROOTS")

# --- Operations: alerts, health, metrics, retention (README: Operations) --------------------
MYSTOCKS_BASE_URL = os.environ.get("MYSTOCKS_BASE_URL", "http://localhost:8888")
MYSTOCKS_ALERT_LANGUAGE = os.environ.get("MYSTOCKS_ALERT_LANGUAGE", "zh-hans")
MYSTOCKS_ALERT_HTTP_TIMEOUT = env_int("MYSTOCKS_ALERT_HTTP_TIMEOUT", 10)
MYSTOCKS_ALERT_MAX_ATTEMPTS = env_int("MYSTOCKS_ALERT_MAX_ATTEMPTS", 4)
MYSTOCKS_ALERT_MONITOR = env_bool("MYSTOCKS_ALERT_MONITOR", True)
# Channel requests go to public addresses only, unless a network here names the destination
# (comma-separated addresses or CIDRs, e.g. an internal webhook receiver "10.1.2.3,192.168.0.0/24").
MYSTOCKS_ALERT_ALLOWED_NETWORKS = env_list("MYSTOCKS_ALERT_ALLOWED_NETWORKS")
MYSTOCKS_ALERT_CHECK_INTERVAL = env_int("MYSTOCKS_ALERT_CHECK_INTERVAL", 30)
MYSTOCKS_MISSED_RUN_GRACE = env_int("MYSTOCKS_MISSED_RUN_GRACE", 120)
MYSTOCKS_MISSED_RUN_WINDOW = env_int("MYSTOCKS_MISSED_RUN_WINDOW", 6 * 3600)
MYSTOCKS_BEAT_STALE_SECONDS = env_int("MYSTOCKS_BEAT_STALE_SECONDS", 60)
MYSTOCKS_HEALTH_INSPECT_TIMEOUT = float(os.environ.get("MYSTOCKS_HEALTH_INSPECT_TIMEOUT", "2.0"))
MYSTOCKS_HEALTH_CACHE_SECONDS = env_int("MYSTOCKS_HEALTH_CACHE_SECONDS", 5)
MYSTOCKS_METRICS_TOKEN = os.environ.get("MYSTOCKS_METRICS_TOKEN", "")
MYSTOCKS_RETENTION_EXECUTION_DAYS = env_int("MYSTOCKS_RETENTION_EXECUTION_DAYS", 90)
MYSTOCKS_RETENTION_LOG_DAYS = env_int("MYSTOCKS_RETENTION_LOG_DAYS", 30)
MYSTOCKS_RETENTION_AUDIT_DAYS = env_int("MYSTOCKS_RETENTION_AUDIT_DAYS", 365)
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "mystocks@localhost")

# --- Caches ---------------------------------------------------------------------------------
# "default" holds per-process conveniences (dashboard slots). "throttle" counts failed logins and
# API requests: with a Redis broker it lives in that Redis, so the limits hold across every web
# process and machine; otherwise in this process (the embedded default runs one web process group).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"}}
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CACHES["throttle"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ.get("MYSTOCKS_THROTTLE_CACHE_URL", CELERY_BROKER_URL),
        "KEY_PREFIX": os.environ.get("MYSTOCKS_BROKER_KEY_PREFIX", "") + "mystocks-throttle",
    }
else:
    CACHES["throttle"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttle"}
MYSTOCKS_LOGIN_FAILURES_PER_USER = env_int("MYSTOCKS_LOGIN_FAILURES_PER_USER", 5)
MYSTOCKS_LOGIN_FAILURES_PER_ADDRESS = env_int("MYSTOCKS_LOGIN_FAILURES_PER_ADDRESS", 30)
MYSTOCKS_LOGIN_WINDOW_SECONDS = env_int("MYSTOCKS_LOGIN_WINDOW_SECONDS", 900)

# --- Input limits (README: Hardening) ------------------------------------------------------
# A 2 MB catalogue plus multipart overhead; anything larger is refused with 413 before it is read.
MYSTOCKS_MAX_REQUEST_BYTES = env_int("MYSTOCKS_MAX_REQUEST_BYTES", 3 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = MYSTOCKS_MAX_REQUEST_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = MYSTOCKS_MAX_REQUEST_BYTES
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "tasks_app.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "tasks_app.api.exceptions.api_exception_handler",
}
# Per-user API rates (per IP when anonymous), reads and writes counted apart.
MYSTOCKS_API_THROTTLE_READ = os.environ.get("MYSTOCKS_API_THROTTLE_READ", "1200/min")
MYSTOCKS_API_THROTTLE_WRITE = os.environ.get("MYSTOCKS_API_THROTTLE_WRITE", "120/min")
SPECTACULAR_SETTINGS = {
    "TITLE": "MyStocks Task Center API",
    "VERSION": "1.0.0",
    "DESCRIPTION": "Tasks, executions, groups, statistics and audit log; the old task manager's paths kept.",
    # Swagger UI and ReDoc served from the installed sidecar package: the docs work offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/",
    "ENUM_NAME_OVERRIDES": {"ExecutionStatusEnum": "tasks_app.models.Status"},
}

LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    # The level sits on the handler too: job loggers run at DEBUG for their capture and would
    # otherwise print every job line to the console whatever LOG_LEVEL says.
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "level": LOG_LEVEL}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}
