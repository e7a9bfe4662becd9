"""Settings and per-user paths (platformdirs, with environment overrides)."""
