"""Run in a fresh process by test_model_files: load every model file, score the rows, write JSON.

usage: python model_loader.py FOLDER ROWS.parquet OUT.json
FOLDER holds model.skops, model.joblib and model.onnx (+ model.json, the model card).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd


def onnx_feed(rows: pd.DataFrame, schema: dict[str, str]) -> dict[str, np.ndarray]:
    feed = {}
    for column, kind in schema.items():
        values = rows[column]
        if kind == "string":
            text = values.astype(object).where(values.notna(), "").map(str)
            feed[column] = text.to_numpy(dtype=object).reshape(-1, 1)
        else:
            feed[column] = values.to_numpy(dtype=np.float64).reshape(-1, 1)
    return feed


def plain(values: np.ndarray) -> list[object]:
    return [v.item() if isinstance(v, np.generic) else v for v in np.asarray(values).ravel().tolist()]


def main() -> None:
    folder, rows_path, out_path = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    rows = pd.read_parquet(rows_path)
    card = json.loads((folder / "onnx" / "model.json").read_text())
    result: dict[str, object] = {}

    from flowza.nodes.export.model_files import load_skops

    for fmt in ("skops", "joblib"):
        path = folder / fmt / f"model.{fmt}"
        if fmt == "skops":
            pipeline = load_skops(path)
        else:
            import joblib

            pipeline = joblib.load(path)
        entry: dict[str, object] = {"predict": plain(pipeline.predict(rows))}
        if hasattr(pipeline, "predict_proba"):
            entry["proba"] = np.asarray(pipeline.predict_proba(rows)).tolist()
        result[fmt] = entry

    import onnxruntime

    session = onnxruntime.InferenceSession(str(folder / "onnx" / "model.onnx"), providers=["CPUExecutionProvider"])
    outputs = session.run(None, onnx_feed(rows, card["onnx"]["inputs"]))
    entry = {"predict": plain(outputs[0])}
    if len(outputs) > 1:
        entry["proba"] = np.asarray(outputs[1]).tolist()
    result["onnx"] = entry
    result["modules"] = sorted(m for m in sys.modules if m.split(".")[0] in ("flowza", "skops", "onnxruntime"))
    out_path.write_text(json.dumps(result))


if __name__ == "__main__":
    main()
