# Willkommenslotse: the Rasa server and the action server in one image.
#   docker build -t willkommenslotse .
#   docker run -p 5005:5005 -e WELCOME_DATABASE_URL=postgresql://... willkommenslotse
# The model is trained at build time, so the container starts without network.
FROM python:3.10-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    RASA_TELEMETRY_ENABLED=false \
    TF_CPP_MIN_LOG_LEVEL=2 \
    SQLALCHEMY_SILENCE_UBER_WARNING=1 \
    WELCOME_RASA_INTERFACE=0.0.0.0 \
    WELCOME_VAR_DIR=/var/lib/welcome

RUN useradd --create-home --uid 1000 welcome
WORKDIR /app

COPY requirements.lock ./
RUN pip install --upgrade "pip<25" && pip install -r requirements.lock

COPY pyproject.toml README.md ./
COPY bot ./bot
COPY actions ./actions
COPY config ./config
COPY data ./data
RUN pip install --no-deps -e . \
 && welcome train \
 && welcome content check \
 && mkdir -p /var/lib/welcome && chown -R welcome /var/lib/welcome /app/models

USER welcome
EXPOSE 5005
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5005/')"
CMD ["welcome", "run"]
