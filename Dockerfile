# The loader image: `nianbao` with everything it needs, for docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY etl ./etl
COPY models ./models
COPY migrations ./migrations
COPY dbt_project ./dbt_project

# Installed in place (-e): Alembic's migrations/ and dbt_project/ are found
# beside the package, as in a checkout, and dbt writes its target/ to /app/var.
RUN pip install -e . \
    && useradd --create-home --uid 10001 nianbao \
    && mkdir -p /app/var /data/landing \
    && chown -R nianbao /app/var

USER nianbao
ENTRYPOINT ["nianbao"]
CMD ["run"]
