"""The FastAPI service: app factory, dependencies, one router per resource."""
