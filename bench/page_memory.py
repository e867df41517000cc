"""Resident memory of one long-lived app process across many trainings and uploads.

``python -m bench.page_memory [rounds]`` (default 20): in one process (as one Streamlit server holds its
sessions), the Jazz page trains a small model on an upload ``rounds`` times, and the Emojify page classifies
``rounds`` different uploaded files; resident memory (VmRSS) is read before the first round and after each. It must level off:
session models are bounded (support.SESSION_MODELS) and classified uploads too (st.cache_data max_entries).
Writes bench/page_memory.json. Uses an empty temporary model cache.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOME = str(ROOT / "apps" / "Home.py")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def small_models(work: Path) -> tuple[str, str, bytes]:
    from nlp_rnn.emojify.data import read_examples, train_valid
    from nlp_rnn.emojify.train import EmojifyOptions
    from nlp_rnn.emojify.train import train as train_emojify
    from nlp_rnn.jazz.export import write_midi
    from nlp_rnn.jazz.train import JazzOptions
    from nlp_rnn.jazz.train import train as train_jazz
    from tests.test_jazz import scale_piece

    train_emojify(EmojifyOptions(model="v1", epochs=2), *train_valid(read_examples("bundled")), work / "e", progress=False)
    train_jazz(JazzOptions(epochs=2, window=12), [scale_piece(8)], work / "j", sources=["scale.mid"], progress=False)
    return str(work / "e"), str(work / "j"), write_midi(scale_piece(8), work / "mine.mid").read_bytes()


def page(name: str, state_key: str, model_dir: str):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(HOME, default_timeout=600)
    at.session_state[state_key] = model_dir
    at.run()
    return at.switch_page(f"views/{name}.py").run()


def measure(rounds: int) -> list[dict]:
    work = Path(tempfile.mkdtemp(prefix="nlp-rnn-bench-memory-"))
    emojify_dir, jazz_dir, midi = small_models(work)
    jazz, emojify = page("jazz", "jazz_model_dir", jazz_dir), page("emojify", "emojify_model_dir", emojify_dir)
    jazz.file_uploader(key="jazz_upload").set_value(("mine.mid", midi, "audio/midi")).run()
    jazz.number_input(key="jazz_epochs").set_value(1).run()
    gc.collect()
    rows = [{"round": 0, "rss_mb": round(rss_mb(), 1)}]  # the start: both pages loaded, nothing trained yet
    for i in range(rounds):
        jazz.button(key="jazz_train").click().run()
        lines = "\n".join(f"round {i} sentence {n} I love pizza" for n in range(5000)).encode()
        emojify.file_uploader(key="emojify_upload").set_value((f"u{i}.txt", lines, "text/plain")).run()
        assert not jazz.exception and not emojify.exception
        gc.collect()
        rows.append({"round": i + 1, "rss_mb": round(rss_mb(), 1)})
        print(f"round {i + 1}: {rows[-1]['rss_mb']} MB", flush=True)
    return rows


def main(argv: list[str]) -> int:
    os.environ["NLP_RNN_CACHE"] = tempfile.mkdtemp(prefix="nlp-rnn-bench-cache-")
    sys.path[:0] = [str(ROOT)]
    rows = measure(int(argv[0]) if argv else 20)
    summary = {"rounds": len(rows) - 1, "start_mb": rows[0]["rss_mb"], "middle_mb": rows[len(rows) // 2]["rss_mb"],
               "end_mb": rows[-1]["rss_mb"]}
    (ROOT / "bench" / "page_memory.json").write_text(json.dumps({"summary": summary, "rounds": rows}, indent=1) + "\n")
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
