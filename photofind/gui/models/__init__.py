"""Qt item models over the catalogue."""
