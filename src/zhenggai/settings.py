"""Settings, read once from the environment (see docs/运维手册.md: 配置)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import django_stubs_ext

from zhenggai.env import database_config, env_bool, env_dir, env_int, env_list, env_str, secret_key

# Lets generic admin and queryset classes be subscripted at run time, as django-stubs types them.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent

DATA_DIR = env_dir("ZHENGGAI_DATA_DIR", Path.cwd() / "var")
SECRET_KEY = secret_key("ZHENGGAI_SECRET_KEY", DATA_DIR)
DEBUG = env_bool("ZHENGGAI_DEBUG", False)
ALLOWED_HOSTS = env_list("ZHENGGAI_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])

DATABASES = {"default": database_config("DATABASE_URL", DATA_DIR / "zhenggai.sqlite3")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while a writer commits; the timeout rides out short write bursts.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT compiles a query whose estimated cost passes jit_above_cost; our page queries are index look-ups that
    # finish in milliseconds, and compiling them cost hundreds (issue 12: 413 of the home page's 428 ms).
    # random_page_cost 2, not 4 (the default, for spinning disks): the ledger's working set is cached (1.6 GB at
    # province scale); with 4, a page of 50 measures joined with their inspections hashed all 5,000 inspections
    # instead of 50 look-ups (3.9 instead of 2.0 ms on every list); 1.1 slowed the charts' departments query.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off -c random_page_cost=2"  # type: ignore[index]
# Seconds a connection is kept between requests; 0 (a new one per request) except under `zhenggai serve`,
# which keeps them (ops/management/commands/serve.py). A kept connection is checked before it is reused.
DATABASES["default"]["CONN_MAX_AGE"] = env_int("ZHENGGAI_CONN_MAX_AGE", 0, minimum=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "zhenggai.ledger",
    "zhenggai.web",
    "zhenggai.notices",
    "zhenggai.supervision",
    "zhenggai.sheets",
    "zhenggai.evaluation",
    "zhenggai.portal",
    "zhenggai.ops",
    "zhenggai.api",
    # django-ninja: its templates and static files serve the API docs from here, not from a CDN.
    "ninja",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "zhenggai.ledger.middleware.RequestIdMiddleware",
    # Before anything reads the body (CSRF reads POST): an oversized request gets 413 unread.
    "zhenggai.middleware.RequestSizeLimitMiddleware",
    "zhenggai.middleware.SessionCookieGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "zhenggai.middleware.SessionRenewalMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a login unless its view says otherwise (health check, login page).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A password set by someone else (or expired) must be changed before anything else.
    "zhenggai.web.login_defence.PasswordChangeRequiredMiddleware",
    # Content-Security-Policy on every response (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    # Last: turns a locked-out login into our page (web.login_defence.lockout_response).
    "axes.middleware.AxesMiddleware",
]

# ZHENGGAI_PORTAL_ONLY=1: this server (in the DMZ, sharing the database) serves only the public pages
# under /gongkai/ and /healthz; no intranet page, no admin, no login is routed (docs/运维手册.md).
PORTAL_ONLY = env_bool("ZHENGGAI_PORTAL_ONLY", False)
ROOT_URLCONF = "zhenggai.portal.only_urls" if PORTAL_ONLY else "zhenggai.urls"
# 群众意见 (docs/用户手册.md): answer within N working days; at most this many a day per network / per phone;
# the sender's contact data is erased this many days after the item is closed.
PORTAL_FEEDBACK_DAYS = env_int("ZHENGGAI_FEEDBACK_DAYS", 15, minimum=1)
PORTAL_FEEDBACK_PER_IP = env_int("ZHENGGAI_FEEDBACK_PER_IP", 5, minimum=1)
PORTAL_FEEDBACK_PER_PHONE = env_int("ZHENGGAI_FEEDBACK_PER_PHONE", 3, minimum=1)
PORTAL_CONTACT_KEEP_DAYS = env_int("ZHENGGAI_FEEDBACK_KEEP_DAYS", 365, minimum=1)
# Behind a reverse proxy in the DMZ: the request header holding the visitor's address, e.g.
# HTTP_X_REAL_IP (set only when the proxy overwrites it; otherwise REMOTE_ADDR is used).
PORTAL_CLIENT_IP_HEADER = env_str("ZHENGGAI_CLIENT_IP_HEADER", "")
WSGI_APPLICATION = "zhenggai.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zhenggai.web.context.roles",
                "zhenggai.directory.login_context",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    # 等保 password policy, with our own Chinese messages: at least 8 characters from 3 of the 4 classes, not
    # like the user name, not a common password.
    {"NAME": "zhenggai.web.form_messages.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "zhenggai.web.login_defence.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "zhenggai.web.form_messages.UserAttributeSimilarityValidator"},
    {"NAME": "zhenggai.web.form_messages.CommonPasswordValidator"},
]
# A password older than this many days must be changed at the next login; 0 turns expiry off.
PASSWORD_MAX_DAYS = env_int("ZHENGGAI_PASSWORD_MAX_DAYS", 0, minimum=0)

# Lockout after repeated login failures (django-axes): N failures within the cool-off lock the account (and,
# separately, the address they came from) for the cool-off; ZHENGGAI_LOCKOUT_BY=username locks accounts only.
AUTHENTICATION_BACKENDS = [
    "zhenggai.web.login_defence.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("ZHENGGAI_LOGIN_FAILURES", 5, minimum=1)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("ZHENGGAI_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = env_list("ZHENGGAI_LOCKOUT_BY", ["username", "ip_address"])
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "zhenggai.web.login_defence.lockout_response"
AXES_SENSITIVE_PARAMETERS = ["password", "old_password", "new_password1", "new_password2"]
AXES_VERBOSE = False
# An idle session ends after this many seconds. A request renews it only when less than half is left
# (zhenggai.middleware.SessionRenewalMiddleware): no session write on every page.
SESSION_COOKIE_AGE = env_int("ZHENGGAI_SESSION_SECONDS", 2 * 3600, minimum=60)
SESSION_SAVE_EVERY_REQUEST = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
if DATA_DIR.is_dir():
    STATIC_ROOT.mkdir(exist_ok=True)
# Every asset is served by the app itself (WhiteNoise): intranets have no CDN. `zhenggai serve` (and
# `upgrade`, `collectstatic`) collect the files under hashed names, gzip-compressed, which WhiteNoise serves
# with a one-year immutable Cache-Control; in development they come straight from the apps' folders.
STATIC_MANIFEST = env_bool("ZHENGGAI_STATIC_MANIFEST", False)
# Evidence and notice files: the data directory's media/ by default; with a bucket, an S3-compatible service
# (MinIO, Ceph, a cloud's object storage) shared by every application server.
S3_BUCKET = env_str("ZHENGGAI_S3_BUCKET", "")
DEFAULT_STORAGE: dict[str, object] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if S3_BUCKET:
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_str("ZHENGGAI_S3_ENDPOINT_URL", "") or None,
            "access_key": env_str("ZHENGGAI_S3_ACCESS_KEY", "") or None,
            "secret_key": env_str("ZHENGGAI_S3_SECRET_KEY", "") or None,
            "region_name": env_str("ZHENGGAI_S3_REGION", "") or None,
            "location": env_str("ZHENGGAI_S3_PREFIX", ""),
            "file_overwrite": False,  # stored files are never replaced
            "default_acl": None,  # private objects: downloads go through the app's permission check
            "querystring_auth": True,
        },
    }
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "media/"
# Behind nginx: evidence downloads are answered with this internal location + the file's path under
# MEDIA_ROOT (X-Accel-Redirect), after the permission check; nginx sends the bytes. Empty: the app sends them.
MEDIA_ACCEL_REDIRECT = env_str("ZHENGGAI_MEDIA_ACCEL_REDIRECT", "").rstrip("/")
# Evidence files are kept under the data directory, never overwritten.
EVIDENCE_MAX_BYTES = env_int("ZHENGGAI_EVIDENCE_MAX_BYTES", 50 * 1024 * 1024, minimum=1024)
# 延期 limits (docs/用户手册.md: 整改措施的生命周期): beyond either the 巡察办 must agree after the leader; further than the last
# is refused outright (a typing error such as 9999-12-31).
EXTENSION_MAX_DAYS = env_int("ZHENGGAI_EXTENSION_MAX_DAYS", 90, minimum=1)
EXTENSION_MAX_COUNT = env_int("ZHENGGAI_EXTENSION_MAX_COUNT", 2, minimum=0)
EXTENSION_REFUSE_DAYS = env_int("ZHENGGAI_EXTENSION_REFUSE_DAYS", 3 * 365, minimum=1)
# Uploaded notices and ledgers are parsed in a child process within these limits (zhenggai.untrusted).
MAX_UNPACKED_MB = env_int("ZHENGGAI_MAX_UNPACKED_MB", 100, minimum=1)
PARSE_MEMORY_MB = env_int("ZHENGGAI_PARSE_MEMORY_MB", 1024, minimum=64)
PARSE_SECONDS = env_int("ZHENGGAI_PARSE_SECONDS", 60, minimum=1)
# Everything one request may send (all its files together); a larger one is refused unread (HTTP 413).
MAX_REQUEST_BYTES = env_int("ZHENGGAI_MAX_REQUEST_MB", 200, minimum=1) * 1024 * 1024
# Stored files and their folders are not world-readable (the process umask, set at start, does the rest).
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750

# API calls a minute per token (per user for the browser session); more answer 429 (README: API).
API_RATE_PER_MINUTE = env_int("ZHENGGAI_API_RATE_PER_MINUTE", 600, minimum=1)

# Sign-in with the unit's directory (LDAP/AD; docs/运维手册.md). An empty URI: local accounts only.
AUTH_LDAP_SERVER_URI = env_str("ZHENGGAI_LDAP_URI", "")
ZHENGGAI_DIRECTORY_RULES = env_str("ZHENGGAI_DIRECTORY_RULES", "")
AUTH_LDAP_GROUP_SEARCH = None
if AUTH_LDAP_SERVER_URI:
    import ldap
    from django_auth_ldap.config import GroupOfNamesType, LDAPSearch

    from zhenggai.directory import parse_rules

    parse_rules(ZHENGGAI_DIRECTORY_RULES)  # a bad rule stops start-up with its reason
    AUTH_LDAP_BIND_DN = env_str("ZHENGGAI_LDAP_BIND_DN", "")
    AUTH_LDAP_BIND_PASSWORD = env_str("ZHENGGAI_LDAP_BIND_PASSWORD", "")
    AUTH_LDAP_USER_SEARCH = LDAPSearch(
        env_str("ZHENGGAI_LDAP_USER_BASE", ""),
        ldap.SCOPE_SUBTREE,
        env_str("ZHENGGAI_LDAP_USER_FILTER", "(uid=%(user)s)"),
    )
    if group_base := env_str("ZHENGGAI_LDAP_GROUP_BASE", ""):
        AUTH_LDAP_GROUP_SEARCH = LDAPSearch(group_base, ldap.SCOPE_SUBTREE, "(objectClass=groupOfNames)")
        AUTH_LDAP_GROUP_TYPE = GroupOfNamesType()
    AUTH_LDAP_USER_ATTR_MAP = {"first_name": env_str("ZHENGGAI_LDAP_NAME_ATTR", "cn"), "email": "mail"}
    # after the lockout backend (django-axes counts directory failures too), before the local accounts
    AUTHENTICATION_BACKENDS = [
        AUTHENTICATION_BACKENDS[0],
        "zhenggai.directory.DirectoryBackend",
        *AUTHENTICATION_BACKENDS[1:],
    ]

# Sign-in with an OpenID Connect 统一身份认证 (docs/运维手册.md). An empty client id: no OIDC button.
OIDC_RP_CLIENT_ID = env_str("ZHENGGAI_OIDC_CLIENT_ID", "")
ZHENGGAI_OIDC_ISSUER = env_str("ZHENGGAI_OIDC_ISSUER", "")
ZHENGGAI_OIDC_USERNAME_CLAIM = env_str("ZHENGGAI_OIDC_USERNAME_CLAIM", "preferred_username")
ZHENGGAI_OIDC_NAME_CLAIM = env_str("ZHENGGAI_OIDC_NAME_CLAIM", "name")
ZHENGGAI_OIDC_GROUPS_CLAIM = env_str("ZHENGGAI_OIDC_GROUPS_CLAIM", "groups")
OIDC_RP_CLIENT_SECRET = env_str("ZHENGGAI_OIDC_CLIENT_SECRET", "")
OIDC_RP_SCOPES = env_str("ZHENGGAI_OIDC_SCOPES", "openid profile email")
OIDC_RP_SIGN_ALGO = env_str("ZHENGGAI_OIDC_SIGN_ALGO", "RS256")
# Endpoints: from the issuer's discovery document unless set here.
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("ZHENGGAI_OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = env_str("ZHENGGAI_OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = env_str("ZHENGGAI_OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = env_str("ZHENGGAI_OIDC_JWKS_ENDPOINT", "")
OIDC_TIMEOUT = 10
OIDC_USE_PKCE = True
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_callback"
LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/?oidc=failed"
if OIDC_RP_CLIENT_ID:
    from zhenggai.directory import parse_rules as _parse_rules

    _parse_rules(ZHENGGAI_DIRECTORY_RULES)  # a bad rule stops start-up with its reason
    if not ZHENGGAI_OIDC_ISSUER and not (OIDC_OP_AUTHORIZATION_ENDPOINT and OIDC_OP_TOKEN_ENDPOINT):
        raise ValueError("ZHENGGAI_OIDC_CLIENT_ID needs ZHENGGAI_OIDC_ISSUER (or every endpoint)")
    AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "zhenggai.oidc.OIDCBackend"]

# E-mail for warnings, 督办单 and the weekly summary (README: 督查督办). An empty host turns e-mail off.
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env_str("ZHENGGAI_EMAIL_HOST", "")
EMAIL_PORT = env_int("ZHENGGAI_EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("ZHENGGAI_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("ZHENGGAI_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("ZHENGGAI_EMAIL_TLS", False)
EMAIL_TIMEOUT = env_int("ZHENGGAI_EMAIL_TIMEOUT", 30, minimum=1)
DEFAULT_FROM_EMAIL = env_str("ZHENGGAI_EMAIL_FROM", "巡察整改管理系统 <zhenggai@localhost>")
# Links in e-mails point here (the address users open the system at).
SITE_URL = env_str("ZHENGGAI_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Warning thresholds, e.g. "due_soon_days=10,stale_days=21" (zhenggai.supervision.rules.Rules).
ZHENGGAI_SUPERVISION_RULES = env_str("ZHENGGAI_SUPERVISION_RULES", "")

# --- HTTPS and headers (运维手册：安全) ---------------------------------------------------------------------
# ZHENGGAI_HTTPS=1 when users reach the system over HTTPS (usually through a reverse proxy that terminates TLS
# and sets X-Forwarded-Proto): cookies only over HTTPS, HSTS, plain HTTP redirected (except the health check).
HTTPS = env_bool("ZHENGGAI_HTTPS", False)
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("ZHENGGAI_HSTS_SECONDS", 365 * 24 * 3600, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("ZHENGGAI_HSTS_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("ZHENGGAI_HSTS_PRELOAD", True)
    # Only the proxy may set this header: it must overwrite what a client sends.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Origins (scheme://host[:port]) a form may be posted from when it is not the request's own host, such as the
# proxy's public address: "https://zhenggai.example.gov.cn".
CSRF_TRUSTED_ORIGINS = env_list("ZHENGGAI_CSRF_TRUSTED_ORIGINS", [])
SESSION_COOKIE_HTTPONLY = True
# Strict Content-Security-Policy: scripts, styles, fonts and connections only from this site, no inline script
# (every script is a static file; HTMX is told not to inject its indicator style). Style attributes stay allowed
# (style-src-attr) for the few layout widths set in templates; <style> elements do not.
_SELF = "'self'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_SELF],
        "script-src": [_SELF],
        "style-src": [_SELF],
        "style-src-elem": [_SELF],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": [_SELF, "data:", "blob:"],
        "font-src": [_SELF, "data:"],
        "connect-src": [_SELF],
        "object-src": ["'none'"],
        "base-uri": [_SELF],
        "form-action": [_SELF],
        "frame-ancestors": [_SELF],
        "frame-src": [_SELF],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("ZHENGGAI_LOG_LEVEL", "INFO")},
}
