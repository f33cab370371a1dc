# syntax=docker/dockerfile:1
# One image for every gridloop Python service. Each container picks its service with its command:
#   python -m services.intake | services.dispatch | services.handling | services.scoring | services.console
# (docker-compose.yml and deploy/k8s/ set it). Build: docker build -t gridloop:local .

ARG PYTHON_IMAGE=python:3.11-slim

# --- build: resolve the locked dependencies into a virtualenv ------------------------------------------
# A compiler is at hand here in case some pinned package has no wheel for the target platform; none of it
# reaches the runtime image.
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
# Dependencies first, so editing the code does not invalidate this (slow) layer.
COPY requirements.lock ./
RUN pip install -r requirements.lock
# Then the project itself, without touching the pinned dependencies.
COPY pyproject.toml ./
COPY shared ./shared
COPY services ./services
RUN pip install --no-deps . \
 && python -c "import shared, services"

# --- runtime -------------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    GRIDLOOP_CITY_DIR=/app/city \
    GRIDLOOP_RUN_DIR=/app/run \
    GRIDLOOP_HOST=0.0.0.0
RUN groupadd --system --gid 10001 gridloop \
 && useradd --system --uid 10001 --gid gridloop --home-dir /app --shell /usr/sbin/nologin gridloop \
 && mkdir -p /app/run \
 && chown -R gridloop:gridloop /app
COPY --from=build /opt/venv /opt/venv
# The city (org tree, grids, people, categories, apps): data loaded at start, read-only for the service.
# /app/run (GRIDLOOP_RUN_DIR) is the service's writable scratch: faust keeps its local data there.
COPY city /app/city
WORKDIR /app
USER 10001:10001
EXPOSE 8001 8002 8003 8004
CMD ["python", "-m", "services.intake"]
