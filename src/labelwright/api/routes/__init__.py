"""One APIRouter per resource; each carries the API prefix, so that the app can add its routes
directly (see `api.app.configure_routes`)."""

API_PREFIX = "/api/v1"
