"""export_model: write the trained pipeline to a file (skops, joblib or ONNX)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from flowza.nodes.base import Context, InferContext, node
from flowza.nodes.export.model_files import ALLOWED_TYPES, FORMAT_EXTENSIONS, write_model
from flowza.nodes.schema import FileShape, Shape
from flowza.nodes.types import FILE, MODEL, ExportedFile, TrainedModel

if TYPE_CHECKING:
    from flowza.codegen.snippet import Names, Snippet


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    format: Literal["skops", "joblib", "onnx"] = Field(
        default="skops", description="skops: safe to load; joblib: plain pickle; onnx: any ONNX runtime"
    )
    name: str = Field(
        default="model",
        min_length=1,
        max_length=100,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$",
        description="File name without extension",
    )


@node(
    type="export_model",
    title="Export model",
    category="Export",
    description="Save the trained pipeline (preprocessing + model) as a file that scores raw rows.",
    inputs={"model": MODEL},
    outputs={"file": FILE},
)
def export_model(ctx: Context, params: Params, model: TrainedModel) -> dict[str, Any]:
    ctx.output_dir.mkdir(parents=True, exist_ok=True)
    path = ctx.output_dir / f"{params.name}{FORMAT_EXTENSIONS[params.format]}"
    write_model(model, params.format, path)
    return {"file": ExportedFile(path=str(path), format=params.format, size=path.stat().st_size)}


def infer(params: Params, inputs: dict[str, Shape | None], ctx: InferContext) -> dict[str, Shape | None]:
    return {"file": FileShape(format=params.format)}


def code(params: Params, names: Names) -> Snippet:
    """Save the pipeline where Flowza would: OUTPUT_DIR/<node id>/<name>.<ext>."""
    from flowza.codegen.snippet import FileRef, Import, Snippet, lit

    model = names.model()
    folder, path = names.var("folder"), names.var("path")
    extension = FORMAT_EXTENSIONS["joblib" if params.format == "joblib" else "skops"]
    lines = [
        f"{folder} = OUTPUT_DIR / {lit(names.node_id)}",
        f"{folder}.mkdir(parents=True, exist_ok=True)",
        f"{path} = {folder} / {lit(params.name + extension)}",
    ]
    if params.format == "onnx":
        lines.insert(
            0,
            "# Flowza writes ONNX with its own converter (one input per raw column); this plain script saves\n"
            "# the same pipeline with skops instead, which scikit-learn users load with skops.io.load",
        )
    if params.format == "joblib":
        imports = (Import("joblib"),)
        lines += [
            f"joblib.dump({model.pipeline}, {path})",
            "# joblib.load(path) unpickles the file, which can run any code in it: load only files you made",
        ]
    else:
        imports = (Import("skops.io", alias="sio"),)
        lines.append(f"sio.dump({model.pipeline}, {path})")
        lines += _skops_load_lines(names.var("trusted"), names.var("reloaded"), path)
    lines.append(f'print("model saved to", {path})')
    return Snippet(
        code="\n".join(lines),
        imports=imports,
        outputs={"file": FileRef(path)},
        explanation=f"Saves the trained pipeline (preprocessing + model) as a {params.format} file.",
    )


def _skops_load_lines(trusted: str, reloaded: str, path: str) -> list[str]:
    """Source that loads the saved file back the way Flowza does, naming the types it trusts."""
    from flowza.codegen.snippet import lit

    listed = "".join(f"\n    {lit(name)}," for name in sorted(ALLOWED_TYPES))
    return [
        "# skops.io.load refuses every type it does not trust by default, so loading this file needs",
        "# trusted=[...]: the fixed list of types Flowza writes (never trusted=True, and never the list",
        "# sio.get_untrusted_types() reads from a file, which would trust whatever the file holds)",
        f"{trusted} = [{listed}\n]",
        f"{reloaded} = sio.load({path}, trusted={trusted})  # load the model like this wherever you use it",
    ]
