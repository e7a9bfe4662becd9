"""Error hierarchy: what the user must fix (KnownError) versus what we must fix (BugError)."""


class PhotofindError(Exception):
    """Base class of every error PhotoFind raises on purpose."""


class KnownError(PhotofindError):
    """A problem in the environment or the input, explained to the user in one line."""


class BugError(PhotofindError):
    """An internal inconsistency: a bug in PhotoFind, never the user's fault."""


class DecodeError(KnownError):
    """A file could not be read as an image; the message says why, for the user."""
