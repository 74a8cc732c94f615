# Production image: gunicorn (sync workers) behind the host's TLS proxy, WhiteNoise static.
FROM python:3.11-slim-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libpq-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY requirements/main.txt ./
# Wheels for exactly the locked versions, checked against their hashes (psycopg2 compiles
# here, against libpq).
RUN pip wheel --no-cache-dir --require-hashes --wheel-dir /wheels -r main.txt

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=portal.settings.production
# libpq for psycopg2; pango and fonts for WeasyPrint's PDFs.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq5 libpango-1.0-0 libpangoft2-1.0-0 \
    libharfbuzz-subset0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-deps /wheels/*.whl && rm -rf /wheels
WORKDIR /app
COPY . .
RUN SECRET_KEY=collectstatic-only DATABASE_URL=postgres://unused/unused \
    python manage.py collectstatic --noinput \
 && useradd --create-home --uid 10001 portal \
 && mkdir -p /app/var/media /app/var/private \
 && chown -R portal /app/var
USER portal
EXPOSE 8000
# gunicorn trusts X-Forwarded-* only from FORWARDED_ALLOW_IPS (its default: 127.0.0.1);
# Django reads the client address per TRUSTED_PROXY_COUNT (README, Configuration).
CMD ["gunicorn", "portal.wsgi", "--bind", "0.0.0.0:8000", "--workers", "4", \
     "--worker-class", "sync", "--access-logfile", "-"]
