"""Qt item delegates (painting)."""
