"""Types shared by every layer; no behaviour, no heavy imports."""
