"""Image embeddings: the ONNX model and the vector index."""
