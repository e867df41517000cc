"""nlp-rnn: recurrent-network applications on one shared core."""

import os

# torch's oneDNN backend compiles an LSTM for every input shape it meets and keeps up to 1,024 of
# them, about 0.5 MB each. Classifying sentences meets a new (sentences, length) shape in almost
# every batch (the CLI's classify grew by 350 MB over a million lines before it turned oneDNN off),
# so a long-lived app that classifies could grow by 0.5 GB; 64 bounds that. oneDNN reads this when
# torch first runs an LSTM, so it is set on import; a value already set is kept.
os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "64")
