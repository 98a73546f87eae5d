"""Route handlers, one module per area; each exposes ``register(router)``."""
