# Hervat production image: web (gunicorn), Celery worker and beat all run it.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    DJANGO_SETTINGS_MODULE=config.settings.base \
    MEDIA_ROOT=/data/media

# WeasyPrint needs Pango/HarfBuzz and at least one font; gettext for
# compilemessages (the .mo files are not in git).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
        gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first so this layer is cached until pyproject/lock change.
# pyproject has `packages = []`: installing "." installs only the dependencies.
COPY pyproject.toml requirements.lock ./
RUN pip install --no-cache-dir -c requirements.lock . \
    && rm -rf build *.egg-info

# Source, listed explicitly so local .venv, .git, media and secrets never
# reach the image (tests/test_docker_compose.py checks every package is here).
COPY manage.py ./
COPY config ./config
COPY core ./core
COPY accounts ./accounts
COPY cases ./cases
COPY poortwachter ./poortwachter
COPY triage ./triage
COPY documents ./documents
COPY integrations ./integrations
COPY privacy ./privacy
COPY analytics ./analytics
COPY templates ./templates
COPY static ./static
COPY locale ./locale

# compilemessages only needs DEBUG=1 to load settings without secrets.
# collectstatic must run with DEBUG off: the manifest storage (used at runtime
# when DEBUG is off) needs staticfiles.json, which only it writes. The dummy
# secrets exist for this one command and are not kept in the image.
RUN DEBUG=1 python manage.py compilemessages \
    && DEBUG=0 \
       SECRET_KEY=build-only-not-a-secret \
       FIELD_ENCRYPTION_KEYS=YnVpbGQtb25seS1ub3QtYS1zZWNyZXQtMzItYnl0ZSE= \
       python manage.py collectstatic --noinput

# Unprivileged runtime user; it may write only media and the beat schedule.
RUN useradd --create-home --uid 10001 --user-group hervat \
    && mkdir -p /data/media /data/beat \
    && chown -R hervat:hervat /data
USER hervat

EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
