"""The one settings module. Every value comes from the environment; see README "Configuration".

With nothing set, the app runs on an embedded SQLite database and a filesystem message broker,
so `make run` needs no server. Production sets DATABASE_URL, CELERY_BROKER_URL and SECRET_KEY.
"""

import datetime as dt
import re

from csp.constants import NONCE as CSP_NONCE
from django.core.exceptions import ImproperlyConfigured

from accounts.audit_trail import RecordEverySave
from config.env import BASE_DIR, env_bool, env_db, env_int, env_list, env_secret, env_str

DEBUG = env_bool("DEBUG", False)
# Public, so only for DEBUG: a key anyone can read lets them forge sessions and reset links.
DEVELOPMENT_SECRET_KEY = "insecure-development-key-set-SECRET_KEY-in-production"  # nosec B105
SECRET_KEY = env_secret("SECRET_KEY", DEVELOPMENT_SECRET_KEY if DEBUG else "")
if not DEBUG and SECRET_KEY in ("", DEVELOPMENT_SECRET_KEY):
    raise ImproperlyConfigured(
        "SECRET_KEY is not set (or is the public development key) and DEBUG is off: set "
        "SECRET_KEY, or SECRET_KEY_FILE to a file holding it, to a long random value."
    )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

VAR_DIR = BASE_DIR / "var"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "mozilla_django_oidc",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "simple_history",
    "django_celery_beat",
    "crispy_forms",
    "crispy_forms_gds",
    "accounts",
    "complaints",
    "ombudsman",
    "compliments",
    "reporting",
    "privacy",
    "public",
    "demo",
    "config",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below the static files: every page, download and API answer may hold personal data.
    "config.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.SessionRefreshMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"

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
                "config.context_processors.service",
                "csp.context_processors.nonce",
            ],
        },
    },
]

DATABASES = {"default": env_db("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, worker, beat) share the file under `make run`.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL;",
        }
    )
# Keep a connection between requests: opening one costs 8-15 ms, more than most pages take.
DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60, minimum=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = env_str("MEDIA_ROOT", str(VAR_DIR / "media"))
# No MEDIA_URL: documents are served only through the permission-checked download view.
DOCUMENT_MAX_MB = env_int("DOCUMENT_MAX_MB", 20, minimum=1)

# The audit trail records every save but a history import's steps (accounts/audit_trail.py).
SIMPLE_HISTORY_ENABLED = RecordEverySave()

# Redis in production, so the web and worker processes share it; a folder under var/ otherwise.
CACHE_URL = env_str("CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL.startswith(("redis://", "rediss://"))
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    )
}
# Reporting: how old the dashboard's figures may be before they are counted again
# (reporting.statistics.recent_figures), and the places every percentage is rounded to.
REPORTING_FIGURES_MAX_AGE = env_int("REPORTING_FIGURES_MAX_AGE", 600, minimum=0)
REPORT_PERCENT_DECIMALS = env_int("REPORT_PERCENT_DECIMALS", 0, minimum=0)

# --- Security: README "Security" says what each of these promises and which test shows it ----

# Children's data: short idle sessions, secure cookies behind HTTPS.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30, minimum=5) * 60
# Read from the cache, written through to the database; refreshed while used
# (config.middleware.SessionRefreshMiddleware).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_COOKIES = env_bool("SECURE_COOKIES", False)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Behind HTTPS (SECURE_COOKIES): send plain HTTP to HTTPS and tell browsers never to use it.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", SECURE_COOKIES)
SECURE_HSTS_SECONDS = env_int(
    "SECURE_HSTS_SECONDS", 365 * 86400 if SECURE_COOKIES else 0, minimum=0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", SECURE_COOKIES)
# Harmless on a council's subdomain, which the preload list does not take anyway.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", SECURE_COOKIES)
# Only behind a proxy that sets X-Forwarded-Proto itself and strips any the client sent.
if env_bool("TRUST_X_FORWARDED_PROTO", SECURE_COOKIES):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content Security Policy (django-csp): only this service's own files run or style a page;
# the one inline script (GOV.UK Frontend's "js-enabled" switch) carries a per-request nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", CSP_NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
# Nothing here needs a camera, a microphone, a location or a payment.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}

# Lock-out after repeated failed sign-ins (django-axes), by account and by address. Many staff
# may share a council's outgoing address: LOGIN_LOCKOUT_BY=account locks accounts only.
_LOCKOUT_BY = {"account": "username", "address": "ip_address"}
AXES_LOCKOUT_PARAMETERS = [
    _LOCKOUT_BY.get(name, name) for name in env_list("LOGIN_LOCKOUT_BY", ["account", "address"])
]
if not set(AXES_LOCKOUT_PARAMETERS) <= set(_LOCKOUT_BY.values()) or not AXES_LOCKOUT_PARAMETERS:
    raise ImproperlyConfigured("LOGIN_LOCKOUT_BY takes account, address or both, comma-separated.")
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 30, minimum=1))
# A success must not wipe the failures: by address, that would wipe other accounts' too, and
# anyone with an account of their own could then guess another's password without end. The
# failures expire with the lock-out period instead.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
# Single sign-on has no password to guess, and a refused one has no username to count by.
AXES_WHITELIST_CALLABLE = "accounts.oidc.exempt_from_lockout"
PROXY_COUNT = env_int("PROXY_COUNT", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "accounts.network.client_address"
AXES_VERBOSE = False

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.permissions.CachedPermissionsBackend",  # ModelBackend, its answers cached
]

# Two-factor sign-in (django-otp): an authenticator app's codes, and one-off backup codes.
# Required of everyone when TWO_FACTOR_REQUIRED; anyone who has enrolled is always asked.
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", True)

# Single sign-on through OpenID Connect (mozilla-django-oidc), e.g. Microsoft Entra ID. On when
# OIDC_RP_CLIENT_ID is set; README "Single sign-on" shows the settings for Entra.
OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID", "")
if OIDC_RP_CLIENT_ID:
    AUTHENTICATION_BACKENDS.insert(1, "accounts.oidc.RoleMappingBackend")
    OIDC_RP_CLIENT_SECRET = env_secret("OIDC_RP_CLIENT_SECRET", "")
    OIDC_RP_SIGN_ALGO = env_str("OIDC_RP_SIGN_ALGO", "RS256")
    OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
    OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_OP_TOKEN_ENDPOINT", "")
    OIDC_OP_USER_ENDPOINT = env_str("OIDC_OP_USER_ENDPOINT", "")
    OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_OP_JWKS_ENDPOINT", "")
    OIDC_RP_SCOPES = env_str("OIDC_RP_SCOPES", "openid email profile")
    OIDC_USE_PKCE = True
    OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10, minimum=1)  # seconds, per call to the provider
    # The provider's issuer, e.g. https://login.microsoftonline.com/<tenant>/v2.0
    OIDC_OP_ISSUER = env_str("OIDC_OP_ISSUER", "")
    OIDC_CREATE_USER = env_bool("OIDC_CREATE_USER", True)
for _name in (
    "OIDC_RP_CLIENT_SECRET",
    "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT",
):
    if OIDC_RP_CLIENT_ID and not globals()[_name]:
        raise ImproperlyConfigured(f"OIDC_RP_CLIENT_ID is set, so {_name} must be set too.")
# The identity provider's claim that lists a person's groups, and which group gives which
# role: "group-id=complaints_officer,other-id=team_manager". A person in no mapped group gets
# no role, so sees nothing.
OIDC_GROUPS_CLAIM = env_str("OIDC_GROUPS_CLAIM", "groups")
OIDC_ROLE_GROUPS = env_list("OIDC_ROLE_GROUPS", [])
# The identity provider asks for its own second factor (Entra's MFA), so ours is not asked too.
OIDC_SATISFIES_TWO_FACTOR = env_bool("OIDC_SATISFIES_TWO_FACTOR", True)
LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/"

# Access for people from outside the council (investigating officers, independent persons,
# panel members) ends this many days after the stage they were appointed to is over.
APPOINTMENT_ACCESS_GRACE_DAYS = env_int("APPOINTMENT_ACCESS_GRACE_DAYS", 28, minimum=0)

# The API: a browser session, or a token for an integration (`manage.py drf_create_token
# USERNAME`, README "The API"); throttled per token (per user), and per address when anonymous.
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "complaints.api.schema.ApiSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "complaints.api.pagination.Cursor",
    "DEFAULT_FILTER_BACKENDS": [
        "complaints.api.filtering.StrictFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    # JSON in; an upload (a document) takes multipart as well, on its own endpoint.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env_str("API_RATE_PER_TOKEN", "600/minute"),
        "anon": env_str("API_RATE_ANONYMOUS", "60/minute"),
    },
    "NUM_PROXIES": PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Children's social care complaints API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # The schema reads categories from the database: it is checked by the tests
    # (tests/api/), not by `check --deploy`, which may run before the database is there.
    "ENABLE_DJANGO_DEPLOY_CHECK": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "CaseKindEnum": "complaints.models.Case.Kind",
        "ContactKindEnum": "complaints.models.Contact.Kind",
        "DocumentKindEnum": "complaints.models.Document.Kind",
        "LetterKindEnum": "complaints.models.LetterKind",
        "LevelEnum": "complaints.models.Level",
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
# A frozen broker must not hold a send for ever (complaints/handoff.py).
REDIS_BROKER_TRANSPORT_OPTIONS = {"socket_timeout": 5, "socket_connect_timeout": 2}
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(VAR_DIR / "broker"),
        "data_folder_out": str(VAR_DIR / "broker"),
        "processed_folder": str(VAR_DIR / "broker-processed"),
        "control_folder": str(VAR_DIR / "broker-control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else REDIS_BROKER_TRANSPORT_OPTIONS
)
# How long a request waits to hand work to a worker; the periodic runs pick up the rest.
BROKER_HANDOFF_SECONDS = 1.0
# How long a worker holds the outbox messages it has taken to send; a killed worker's come back
# after this (complaints.chasing.deliver).
OUTBOX_CLAIM_SECONDS = env_int("OUTBOX_CLAIM_SECONDS", 300, minimum=5)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_TIME_LIMIT = 600
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# A request must not hang on a broker that is down: the outbox keeps the message instead.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "sent-mail"))  # filebased backend
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Well inside OUTBOX_CLAIM_SECONDS: a mail server that hangs must not outlast a delivery's claim,
# or the message in hand could go twice.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "complaints@council.example")
# The complaints team's shared mailbox: a move's message whose people are not on the case goes
# here instead (complaints.chasing).
COMPLAINTS_TEAM_EMAIL = env_str("COMPLAINTS_TEAM_EMAIL", DEFAULT_FROM_EMAIL)
# GOV.UK Notify (pip install ".[notify]"; EMAIL_BACKEND=django_gov_notify.backends.
# NotifyEmailBackend) sends through one plain template and takes no copies, so each copy
# recipient gets a message of their own.
GOVUK_NOTIFY_API_KEY = env_str("GOVUK_NOTIFY_API_KEY", "")
GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID = env_str("GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID", "")
EMAIL_NO_CC = env_bool("EMAIL_NO_CC", EMAIL_BACKEND.startswith("django_gov_notify"))

# The council using the service: shown on pages and letters.
COUNCIL_NAME = env_str("COUNCIL_NAME", "Demo Borough Council")
COUNCIL_ADDRESS = env_str("COUNCIL_ADDRESS", "Town Hall, High Street, Demotown DT1 1AA")
COMPLAINTS_CONTACT = env_str(
    "COMPLAINTS_CONTACT", "Complaints Team, 01234 567890, complaints@council.example"
)
# Who signs the council's response to a Stage 3 review panel. Empty: the letter keeps a
# placeholder, and a letter with a placeholder is not sent.
DIRECTOR_NAME = env_str("DIRECTOR_NAME", "")
DIRECTOR_JOB_TITLE = env_str("DIRECTOR_JOB_TITLE", "Director of Children's Services")
# A call-back request is answered within this many working days of its receipt.
CALL_BACK_WORKING_DAYS = env_int("CALL_BACK_WORKING_DAYS", 2, minimum=1)
# The largest spreadsheet complaints.history_import reads (about 100,000 cases as CSV).
HISTORY_IMPORT_MAX_BYTES = env_int("HISTORY_IMPORT_MAX_BYTES", 40 * 1024 * 1024, minimum=1024)
# How long an import's problems (which quote the file's cells) are kept after it ran.
HISTORY_IMPORT_KEEP_DAYS = env_int("HISTORY_IMPORT_KEEP_DAYS", 30, minimum=1)
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
# The public e-forms (public/): how many form posts one address may make (django-ratelimit's
# "count/period", e.g. "20/m"; counted in the cache, so Redis when several processes serve),
# how long the escalation link in a response letter works, and the advocacy provider a young
# person's accepted offer is referred to (a code; empty: the only active provider, if one).
PUBLIC_FORM_RATE = env_str("PUBLIC_FORM_RATE", "20/m")
if not re.fullmatch(r"[1-9]\d*/\d*[smhd]", PUBLIC_FORM_RATE):
    raise ImproperlyConfigured(
        f"PUBLIC_FORM_RATE is {PUBLIC_FORM_RATE!r}: give posts per period, e.g. 20/m or 100/h."
    )
ESCALATION_LINK_DAYS = env_int("ESCALATION_LINK_DAYS", 60, minimum=1)
PUBLIC_ADVOCACY_PROVIDER = env_str("PUBLIC_ADVOCACY_PROVIDER", "")
CASE_REFERENCE_PREFIX = env_str("CASE_REFERENCE_PREFIX", "CSC")
OTP_TOTP_ISSUER = f"{COUNCIL_NAME} complaints"  # what an authenticator app calls the account

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint narrates every render at INFO.
    "loggers": {
        name: {"level": "WARNING"}
        for name in ("weasyprint", "fontTools", "fontTools.subset", "axes")
    },
}
