# syntax=docker/dockerfile:1
# Willkommenslotse: the Rasa server and the action server in one image.
#   docker build -t willkommenslotse .
#   docker run -p 5005:5005 -e WELCOME_DATABASE_URL=postgresql://... willkommenslotse
# The model is trained at build time, so the container starts without network.
#
# Translation models for languages beyond the native ones are baked in at build
# time too; the running container never downloads anything.
#   With internet while building (Argos package index):
#     docker build --build-arg TRANSLATION_LANGUAGES="ro pl fr" -t willkommenslotse .
#   Without internet: copy .argosmodel files (downloaded elsewhere) into
#   translation-models/ next to this file; the build installs every one of them
#   (`welcome languages install --from-file`).
FROM python:3.10-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    RASA_TELEMETRY_ENABLED=false \
    TF_CPP_MIN_LOG_LEVEL=2 \
    SQLALCHEMY_SILENCE_UBER_WARNING=1 \
    WELCOME_RASA_INTERFACE=0.0.0.0 \
    WELCOME_VAR_DIR=/var/lib/welcome \
    WELCOME_TRANSLATION_DIR=/app/translation

RUN useradd --create-home --uid 1000 welcome
WORKDIR /app

COPY requirements.lock ./
RUN pip install --upgrade "pip<25" && pip install -r requirements.lock

COPY pyproject.toml README.md ./
COPY bot ./bot
COPY actions ./actions
COPY config ./config
COPY data ./data
RUN pip install --no-deps -e .

# Declared here, not at the top: a new language list re-runs only the steps below.
ARG TRANSLATION_LANGUAGES=""
# translation-models/ is mounted, not copied: the .argosmodel files do not stay in
# the image, only the installed models under WELCOME_TRANSLATION_DIR (not under
# WELCOME_VAR_DIR, which is often a volume that would hide them).
RUN --mount=type=bind,source=translation-models,target=/tmp/translation-models \
    if ls /tmp/translation-models/*.argosmodel >/dev/null 2>&1; then \
      welcome languages install --from-file /tmp/translation-models; \
    fi \
 && if [ -n "$TRANSLATION_LANGUAGES" ]; then \
      welcome languages install $TRANSLATION_LANGUAGES; \
    fi

# `welcome train` also prepares the answers in every installed language.
RUN welcome train \
 && welcome content check \
 && mkdir -p /var/lib/welcome /app/translation \
 && chown -R welcome /var/lib/welcome /app/models /app/translation

USER welcome
EXPOSE 5005
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5005/')"
CMD ["welcome", "run"]
