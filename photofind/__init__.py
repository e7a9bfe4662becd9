"""PhotoFind: an offline desktop photo finder (lookalikes, clusters, duplicates, label search)."""

__version__ = "0.1.0"
APP_ID = "io.github.photofind.PhotoFind"
APP_NAME = "PhotoFind"
