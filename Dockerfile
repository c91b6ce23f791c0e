# One image for every role: `lookout serve` (default), `lookout worker`, `lookout db upgrade`.
#
# Reproducible: the base image is pinned by digest (a tag can be pushed again, a digest
# cannot) and the packages are the exact versions of requirements.lock (`make lock`), installed
# without resolving anything anew. The digest is the one public projects pin for
# python:3.11.11-slim-bookworm; no registry was reachable where this was written, so check it
# where you build (`docker buildx imagetools inspect python:3.11.11-slim-bookworm`) and
# override it with `--build-arg PYTHON_IMAGE=python:3.11.11-slim-bookworm@sha256:<digest>`.
ARG PYTHON_IMAGE=python:3.11.11-slim-bookworm@sha256:081075da77b2b55c23c088251026fb69a7b2bf92471e491ff5fd75c192fd38e5

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/lookout
COPY requirements.lock /tmp/requirements.lock
RUN /opt/lookout/bin/pip install --no-deps --require-virtualenv -r /tmp/requirements.lock
WORKDIR /src
COPY pyproject.toml README.md ./
COPY app ./app
COPY alerts ./alerts
COPY lpr ./lpr
COPY geo ./geo
# A plain (non-editable) install; the migrations go beside the installed packages, where
# app/migrate.py looks for them.
RUN /opt/lookout/bin/pip install --no-deps .
COPY migrations /opt/lookout/lib/python3.11/site-packages/migrations

FROM ${PYTHON_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/lookout/bin:$PATH \
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
COPY --from=build /opt/lookout /opt/lookout

USER lookout
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"

CMD ["sh", "-c", "lookout db upgrade && exec lookout serve --host 0.0.0.0 --port 8000"]
