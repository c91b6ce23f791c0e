# One image for every role: `lookout serve` (default) and `lookout worker`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    LOOKOUT_ENV=prod \
    LOOKOUT_DATA_DIR=/data \
    LOOKOUT_DATABASE_URL=sqlite:////data/lookout.db \
    LOOKOUT_FCM_INBOX=false
# The image is for deployments: prod, so it refuses to start (naming each setting) until it is
# given real secrets (LOOKOUT_TOKEN_SECRET, LOOKOUT_AUDIT_SECRET) and Firebase credentials
# (LOOKOUT_FCM_CREDENTIALS). It listens on every interface, so the development push inbox
# (which shows every push, plates included) is off. To try it out: -e LOOKOUT_ENV=dev.

RUN useradd --create-home --uid 10001 lookout \
    && mkdir /data && chown lookout:lookout /data

WORKDIR /srv/lookout
COPY pyproject.toml README.md ./
COPY app ./app
COPY alerts ./alerts
COPY lpr ./lpr
COPY geo ./geo
COPY migrations ./migrations
# Editable, so migrations/ stays beside the packages where `lookout db upgrade` finds it.
RUN pip install -e .

USER lookout
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"

CMD ["sh", "-c", "lookout db upgrade && exec lookout serve --host 0.0.0.0 --port 8000"]
