# The API for users who have Docker; development and CI use `make` instead.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY graph ./graph
COPY ingest ./ingest
COPY services ./services
COPY demo ./demo
COPY api ./api
COPY visualisations ./visualisations
COPY cli ./cli
RUN pip install --no-cache-dir '.[fast]'
EXPOSE 8000
CMD ["alumni-graph", "serve", "--host", "0.0.0.0", "--port", "8000"]
