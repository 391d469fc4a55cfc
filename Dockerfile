# The production image: web (gunicorn), Celery worker and beat all run from it.
FROM python:3.11-slim-bookworm

RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    libharfbuzz-subset0 \
    fonts-dejavu-core fonts-liberation2 nodejs npm make \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml ./
COPY . .
RUN make assets && rm -rf node_modules \
 && pip install --no-cache-dir --require-hashes -r requirements.lock \
 && pip install --no-cache-dir --no-deps . \
 && DJANGO_SETTINGS_MODULE=config.settings.base SECRET_KEY=build python manage.py collectstatic --noinput

RUN useradd --system --home /app complaints && mkdir -p /app/var && chown complaints /app/var
USER complaints
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
