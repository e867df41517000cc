"""Accuracy, macro-F1, per-class precision/recall and the confusion matrix."""

from __future__ import annotations

import numpy as np


def classification_report(truth: list[int], predicted: list[int], labels: list[str]) -> dict:
    """Metrics over class indices; ``confusion[i][j]`` counts true class i predicted as j."""
    k = len(labels)
    confusion = np.zeros((k, k), dtype=int)
    np.add.at(confusion, (np.asarray(truth, dtype=int), np.asarray(predicted, dtype=int)), 1)
    tp = np.diag(confusion).astype(float)
    predicted_counts, true_counts = confusion.sum(axis=0), confusion.sum(axis=1)
    precision = np.divide(tp, predicted_counts, out=np.zeros(k), where=predicted_counts > 0)
    recall = np.divide(tp, true_counts, out=np.zeros(k), where=true_counts > 0)
    f1 = np.divide(2 * precision * recall, precision + recall, out=np.zeros(k), where=precision + recall > 0)
    present = true_counts > 0
    return {
        "n": int(confusion.sum()),
        "accuracy": float(tp.sum() / max(confusion.sum(), 1)),
        "macro_f1": float(f1[present].mean()) if present.any() else 0.0,
        "per_class": {label: {"precision": float(precision[i]), "recall": float(recall[i]), "f1": float(f1[i]),
                              "support": int(true_counts[i])} for i, label in enumerate(labels)},
        "labels": labels,
        "confusion": confusion.tolist(),
    }
