FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# WeasyPrint's system libraries and a font family for the PDFs; PostgreSQL's client for
# scripts/backup and scripts/restore (version 15, as the database's image).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
       libharfbuzz-subset0 fonts-dejavu-core postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.lock .
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
# Production settings refuse a placeholder secret; collecting static files needs one, and a
# database address, but keeps neither: the running containers get their own.
RUN DJANGO_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
    DJANGO_ALLOWED_HOSTS=localhost SITE_URL=http://localhost \
    DATABASE_URL=sqlite:////tmp/unused.sqlite3 \
    DJANGO_SETTINGS_MODULE=tc_portal.settings.production \
    python manage.py collectstatic --noinput -v0 \
    && useradd --create-home --uid 1000 portal \
    && mkdir -p /var/lib/tc-portal/media /var/lib/tc-portal/private \
    && chown -R portal /var/lib/tc-portal
USER portal
EXPOSE 8000
CMD ["gunicorn", "tc_portal.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
