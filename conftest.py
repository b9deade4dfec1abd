# Fixtures that find or start real NATS and PostgreSQL live in the kit, shared by every suite.
pytest_plugins = ["thidua_kit.testing"]
