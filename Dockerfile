# BenchShare API: gunicorn on Python 3.11 slim, as an unprivileged user.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    BENCHSHARE_ENV=production \
    LOG_FORMAT=json

WORKDIR /app
RUN useradd --system --create-home --uid 10001 benchshare

# Dependencies first, so code changes reuse the cached layer: the versions pinned in
# constraints.txt (the ones the tests ran with), without the embedded PostgreSQL (the
# `embedded` extra, ~105 MB): the image always has a database of its own.
COPY pyproject.toml README.md constraints.txt ./
COPY service/__init__.py service/__init__.py
RUN pip install -c constraints.txt -e . && rm -rf /root/.cache

COPY service ./service
COPY migrations ./migrations
COPY seeds ./seeds

USER benchshare
EXPOSE 8000

# `serve` migrates (an advisory lock keeps concurrent starts safe), starts the job scheduler
# unless SCHEDULER_ENABLED=false (docker-compose.yml runs `benchshare scheduler` beside it
# instead) and serves with gunicorn.
CMD ["benchshare", "serve", "--host", "0.0.0.0", "--port", "8000"]

HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=2).status == 200 else 1)"
