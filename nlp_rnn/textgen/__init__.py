"""Text generation: corpora, BPTT batches and the language-model training task."""
