"""One router per resource; routes parse input, call the store, return models."""
