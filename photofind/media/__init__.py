"""Opening photo files: decoding, orientation, colour modes and metadata, with Pillow."""
