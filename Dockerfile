# One image for the API and the workers: `flowza serve` or `flowza worker` (see docker-compose.yml).

# 1. The editor: built from frontend/ into src/flowza/web/ (vite's outDir).
FROM node:22-bookworm-slim AS frontend
WORKDIR /build/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

# 2. Flowza with the built editor inside the package.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    FLOWZA_DATA_DIR=/data
WORKDIR /app
COPY pyproject.toml README.md LICENSE ./
COPY src ./src
COPY --from=frontend /build/src/flowza/web ./src/flowza/web
RUN pip install . \
    && useradd --create-home --uid 1000 flowza \
    && mkdir -p /data \
    && chown flowza /data
USER flowza
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/v1/health', timeout=4)"]
ENTRYPOINT ["flowza"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000", "--auth"]
