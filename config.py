"""Configuration, read from the environment.

`APP_CONFIG` picks the class (development, testing, production). Every value a
deployment may change is an environment variable; nothing secret is in here.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def _database_url(default: str) -> str:
    url = os.environ.get("DATABASE_URL") or default
    # psycopg 3 is the driver; accept the short forms hosting providers hand out.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Config:
    NAME = "base"
    SECRET_KEY: str | None = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = _database_url(f"sqlite:///{BASE_DIR / 'instance' / 'buytenwegh.sqlite'}")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SQLALCHEMY_RECORD_QUERIES = False

    # Sessions: the cookie only carries a reference to a server-side session row.
    SESSION_COOKIE_NAME = "bw_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 24 * 14  # seconds: two weeks
    REMEMBER_COOKIE_DURATION = 0
    WTF_CSRF_TIME_LIMIT = 60 * 60 * 8  # a form left open for an evening still posts

    PASSWORD_RESET_MAX_AGE = 60 * 60  # seconds a reset link stays valid
    EMAIL_VERIFY_MAX_AGE = 60 * 60 * 24 * 3  # seconds the link that confirms a new account stays valid
    LOGIN_LINK_MAX_AGE = 60 * 30  # seconds a login link by mail stays valid (it works once)
    PASSWORD_MIN_LENGTH = 12
    PASSWORD_HASH_METHOD = "scrypt"  # werkzeug's default cost (N=32768)

    BABEL_DEFAULT_LOCALE = "nl"
    BABEL_DEFAULT_TIMEZONE = "Europe/Amsterdam"
    LANGUAGES = {"nl": "Nederlands", "en": "English"}
    # The municipality's name as a party in covenants (part of what signatures are bound to).
    MUNICIPALITY_NAME = os.environ.get("MUNICIPALITY_NAME", "Gemeente Zoetermeer")

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", True)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "noreply@buytenwegh.example")
    # "smtp" when MAIL_SERVER is set, "log" otherwise; tests use "memory".
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "")
    # The outbox (app/mail/sender.py): tries per mail before it is shown to the administrator as failed, and
    # how long a worker's claim on a mail lasts before another worker takes it over (it died while sending).
    MAIL_MAX_ATTEMPTS = _int("MAIL_MAX_ATTEMPTS", 6)
    MAIL_CLAIM_LEASE = _int("MAIL_CLAIM_LEASE", 600)  # seconds
    MAIL_KEEP_DAYS = _int("MAIL_KEEP_DAYS", 90)  # sent mails are removed from the outbox after this many days
    # Seconds a notification mail waits before it goes, so what happens soon after joins it in one mail
    # (app/notifications/audience.py): a busy issue does not flood its followers.
    NOTIFICATION_MAIL_DELAY = _int("NOTIFICATION_MAIL_DELAY", 120)

    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # Per address: generous, because a meeting in the community centre shares one address.
    RATELIMIT_LOGIN = os.environ.get("RATELIMIT_LOGIN", "30 per minute;300 per hour")
    # Failed logins only (app/accounts/throttle.py). Per account and client (an IPv6 client by its /64): tight,
    # this slows down whoever guesses from one place, and nobody else.
    RATELIMIT_LOGIN_CLIENT = os.environ.get("RATELIMIT_LOGIN_CLIENT", "10 per minute;50 per hour")
    # Per account, from anywhere: a high ceiling against guessing from many addresses. Past it, passwords are
    # checked only in browsers where the account logged in before; others are offered a login link by mail,
    # so a stranger cannot lock the owner out.
    RATELIMIT_LOGIN_ACCOUNT = os.environ.get("RATELIMIT_LOGIN_ACCOUNT", "100 per hour;300 per day")
    # This many failed logins for an account and its owner is told by mail (at most one such mail a day).
    LOGIN_WARNING_AFTER = os.environ.get("LOGIN_WARNING_AFTER", "20 per day")
    # A browser where someone logged in is remembered for their account this long (a signed cookie).
    DEVICE_COOKIE_DAYS = _int("DEVICE_COOKIE_DAYS", 180)
    RATELIMIT_RESET = os.environ.get("RATELIMIT_RESET", "5 per minute;20 per hour")
    # Mails anyone can make us send to one address, per kind (new password, confirmation, login link). Past it
    # no more are sent, silently: the page says the same, and the mails sent already still work.
    RATELIMIT_ACCOUNT_MAIL = os.environ.get("RATELIMIT_ACCOUNT_MAIL", "3 per 10 minutes;10 per day")
    RATELIMIT_REGISTER = os.environ.get("RATELIMIT_REGISTER", "60 per hour")
    # Per signed-in person, against flooding: far above what anyone writes by hand.
    RATELIMIT_PROPOSE = os.environ.get("RATELIMIT_PROPOSE", "10 per hour;30 per day")
    RATELIMIT_COMMENT = os.environ.get("RATELIMIT_COMMENT", "10 per minute;100 per hour")
    RATELIMIT_REPORT = os.environ.get("RATELIMIT_REPORT", "20 per hour")
    # The unsubscribe links in mails (per address): generous, since a mail provider's servers send the one-click
    # POSTs of many people from few addresses; the signed tokens cannot be guessed anyway.
    RATELIMIT_UNSUBSCRIBE = os.environ.get("RATELIMIT_UNSUBSCRIBE", "60 per minute;1000 per hour")
    # Reports count towards hiding something automatically only from accounts at least this old when they
    # reported; newer accounts' reports still reach the moderators.
    REPORT_MIN_ACCOUNT_AGE_HOURS = _int("REPORT_MIN_ACCOUNT_AGE_HOURS", 24)
    # Signing (and changing the password) re-enters the password: failed attempts per signed-in person, so it
    # can't be guessed there, and only that person's own session counts towards it.
    RATELIMIT_SIGN = os.environ.get("RATELIMIT_SIGN", "10 per minute;50 per hour")
    RATELIMIT_PDF = os.environ.get("RATELIMIT_PDF", "30 per minute")  # per address; rendering takes a while

    # The signals on the balance page (/processes/<slug>/balance): when each one speaks up.
    BALANCE_WINDOW_DAYS = _int("BALANCE_WINDOW_DAYS", 30)  # "recent" for the detached and dominance signals
    BALANCE_TALK_DAYS = _int("BALANCE_TALK_DAYS", 21)  # endless talk: no decision step for this many days ...
    BALANCE_TALK_CONTRIBUTIONS = _int("BALANCE_TALK_CONTRIBUTIONS", 15)  # ... while this many contributions came in
    BALANCE_MIN_ARGUMENTS = _int("BALANCE_MIN_ARGUMENTS", 3)  # a decision with fewer Puzzling events behind it
    BALANCE_DETACHED_SHARE = _float("BALANCE_DETACHED_SHARE", 0.8)  # share of contributions by professionals
    BALANCE_DETACHED_MIN = _int("BALANCE_DETACHED_MIN", 10)  # contributions needed before judging
    BALANCE_DOMINANCE_PEOPLE = _int("BALANCE_DOMINANCE_PEOPLE", 3)  # the few most active people ...
    BALANCE_DOMINANCE_SHARE = _float("BALANCE_DOMINANCE_SHARE", 0.5)  # ... made at least this share
    BALANCE_DOMINANCE_MIN = _int("BALANCE_DOMINANCE_MIN", 20)  # contributions needed before judging
    # The Groene Loper: residents get a first answer within this many working days (Monday to Friday, not on
    # Dutch national holidays; app/workdays.py). Used by the reminders to the wijkregisseur, the dashboard and
    # the "residents waiting" signal on the balance page.
    GROENE_LOPER_DAYS = _int("GROENE_LOPER_DAYS", 10)

    SEND_HSTS = False
    # Request size: a larger body is refused with 413 before it is read. Routes that take uploads raise
    # it for themselves with `app.request_size.larger_body`. Per form: the largest text field, and fields.
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 1024 * 1024)  # bytes
    MAX_FORM_MEMORY_SIZE = _int("MAX_FORM_MEMORY_SIZE", 500_000)  # bytes in one field
    MAX_FORM_PARTS = _int("MAX_FORM_PARTS", 1000)  # fields in one form
    PAGE_SIZE = 25
    ISSUE_PAGE_SIZE = 20
    ISSUE_EDIT_MINUTES = int(os.environ.get("ISSUE_EDIT_MINUTES", "60"))  # authors may correct their issue

    # Photos and PDFs on issues (app/issues/attachments.py). Stored as files under UPLOAD_FOLDER: empty means
    # the instance folder's "uploads"; give a shared path (NFS, a mounted volume) when several web servers run.
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", "")
    ISSUE_PHOTOS_MAX = _int("ISSUE_PHOTOS_MAX", 4)  # photos per issue
    ISSUE_FILES_MAX = _int("ISSUE_FILES_MAX", 1)  # PDFs per issue
    ISSUE_UPLOAD_MAX_BYTES = _int("ISSUE_UPLOAD_MAX_BYTES", 8 * 1000 * 1000)  # per file, as sent
    ISSUE_PHOTO_MAX_PIXELS = _int("ISSUE_PHOTO_MAX_PIXELS", 40_000_000)  # larger images are refused (bombs)
    RATELIMIT_UPLOAD = os.environ.get("RATELIMIT_UPLOAD", "30 per hour;100 per day")  # per person, add form

    # The site's public address, e.g. https://doemee.zoetermeer.nl. Links in e-mails are built
    # from it, never from the request's Host header (which a visitor controls). Required in production.
    BASE_URL = os.environ.get("BASE_URL", "").rstrip("/")
    # Hosts the app answers for; a request with another Host header gets 400. Production always trusts
    # BASE_URL's host and adds these (comma-separated, e.g. "localhost,10.0.0.5" for health checks).
    # Elsewhere: any host, unless this is set.
    TRUSTED_HOSTS = [h.strip() for h in os.environ.get("TRUSTED_HOSTS", "").split(",") if h.strip()] or None
    # Number of reverse proxies in front of the app whose X-Forwarded-For/-Proto to trust (0: none).
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0") or 0)

    # Jobs (app/jobs, README "Jobs"): on an RQ queue in Redis when REDIS_URL is set (run `flask jobs worker`
    # and `flask jobs scheduler`); without it in a thread of the web process, as the embedded default.
    REDIS_URL = os.environ.get("REDIS_URL", "")
    JOBS_QUEUE = os.environ.get("JOBS_QUEUE", "buytenwegh")
    JOBS_SYNC = False  # run each job at once in the caller (tests); after the commit for enqueue_after_commit
    JOBS_TIMEOUT = _int("JOBS_TIMEOUT", 30 * 60)  # seconds a job may run before the worker stops it
    # The scheduler thread in the web process (no Redis: on by default); it starts with the first request
    # a process serves. Off: run `flask jobs tick` from cron every minute instead.
    RUN_SCHEDULER = _bool("RUN_SCHEDULER", not REDIS_URL)
    SCHEDULER_INTERVAL = _int("SCHEDULER_INTERVAL", 60)  # seconds between two ticks
    # The daily and weekly runs, at these hours in this time zone (app/jobs/schedule.py).
    SCHEDULE_TIMEZONE = os.environ.get("SCHEDULE_TIMEZONE", "Europe/Amsterdam")
    DIGEST_DAILY_HOUR = _int("DIGEST_DAILY_HOUR", 7)
    DIGEST_WEEKLY_DAY = os.environ.get("DIGEST_WEEKLY_DAY", "monday")
    DIGEST_WEEKLY_HOUR = _int("DIGEST_WEEKLY_HOUR", 7)
    MODERATION_SUMMARY_HOUR = _int("MODERATION_SUMMARY_HOUR", 8)
    WAITING_REMINDER_HOUR = _int("WAITING_REMINDER_HOUR", 8)
    HOUSEKEEPING_HOUR = _int("HOUSEKEEPING_HOUR", 3)  # removing unconfirmed accounts and old records
    # Where congress bundles are built and kept for a day; shared by every web server and worker.
    EXPORT_FOLDER = os.environ.get("EXPORT_FOLDER", "")  # default: instance/exports


class DevelopmentConfig(Config):
    NAME = "development"
    DEBUG = False  # `flask run --debug` turns on the debugger when a developer wants it


class TestingConfig(Config):
    NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-only-not-a-secret"
    WTF_CSRF_ENABLED = False  # tests that check CSRF switch it back on
    RATELIMIT_ENABLED = False  # tests that check limits switch it back on
    MAIL_BACKEND = "memory"
    BASE_URL = "http://localhost"
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"  # cheap, for fast tests only
    SQLALCHEMY_DATABASE_URI = _database_url("sqlite:///:memory:")
    JOBS_SYNC = True  # tests that use the queue or the thread switch it off
    NOTIFICATION_MAIL_DELAY = 0  # mails at once after the request; tests of the delay set it
    RUN_SCHEDULER = False


class ProductionConfig(Config):
    NAME = "production"
    SESSION_COOKIE_SECURE = True
    SEND_HSTS = True


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    name = os.environ.get("APP_CONFIG", "development").strip().lower()
    if name not in CONFIGS:
        raise RuntimeError(f"APP_CONFIG must be one of {', '.join(CONFIGS)}, not {name!r}")
    return CONFIGS[name]


def development_secret_key(instance_path: str) -> str:
    """Read, or create once, a random key kept in instance/ (never committed)."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key
