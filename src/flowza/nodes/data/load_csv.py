"""load_csv: read a CSV file from the data directory."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from flowza.nodes.base import Context, InferContext, NodeError, node
from flowza.nodes.data.files import read_csv, resolve_in_root
from flowza.nodes.schema import Shape, TableShape
from flowza.nodes.types import DATA, Dataset

if TYPE_CHECKING:
    from flowza.codegen.snippet import Names, Snippet

SAMPLE_ROWS = 5000


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    dataset: str = Field(
        default="",
        max_length=255,
        description="File name of the CSV inside the data directory (an uploaded dataset's name)",
        json_schema_extra={"ui:widget": "dataset"},
    )
    separator: str = Field(default="auto", max_length=4, description="Field separator, or 'auto' to detect it")
    encoding: str = Field(
        default="auto", max_length=40, description="Text encoding, or 'auto' (UTF-8, then Windows-1252)"
    )


@node(
    type="load_csv",
    title="Load CSV",
    category="Data",
    description="Read a CSV file into a table; the separator and encoding are detected.",
    inputs={},
    outputs={"data": DATA},
    needs_sklearn=False,
)
def load_csv(ctx: Context, params: Params) -> dict[str, Any]:
    path = resolve_in_root(ctx.data_dir, params.dataset)
    frame = read_csv(path, params.separator, params.encoding, limits=ctx.csv_limits)
    ctx.log(f"read {len(frame)} rows x {frame.shape[1]} columns from {params.dataset}")
    return {"data": Dataset(frame=frame, source=params.dataset)}


def infer(params: Params, inputs: dict[str, Shape | None], ctx: InferContext) -> dict[str, Shape | None]:
    if ctx.data_dir is None:
        if not params.dataset:
            raise NodeError("choose a dataset: the file name is empty", "dataset")
        return {"data": None}
    path = resolve_in_root(ctx.data_dir, params.dataset)
    sample = read_csv(path, params.separator, params.encoding, nrows=SAMPLE_ROWS)
    return {"data": TableShape.from_frame(sample, whole_file=len(sample) < SAMPLE_ROWS, source=params.dataset)}


def code(params: Params, names: Names) -> Snippet:
    """`pd.read_csv` with the separator and encoding Flowza uses (detected now, or by the script)."""
    from flowza.codegen.helpers import SNIFF_CSV
    from flowza.codegen.snippet import PD, DataRef, Helper, Snippet, lit
    from flowza.nodes.data.files import sniff

    out, steps = names.var("data"), names.var("steps")
    path = f"DATA_DIR / {lit(params.dataset)}"
    separator = "\t" if params.separator == "\\t" else params.separator
    encoding = params.encoding
    lines: list[str] = []
    helpers: tuple[Helper, ...] = ()
    if "auto" in (separator, encoding) and names.data_dir is not None:
        try:
            separator, encoding = sniff(resolve_in_root(names.data_dir, params.dataset), separator, encoding)
            lines.append("# separator and encoding as Flowza detected them in the file")
        except NodeError:
            pass
    if "auto" in (separator, encoding):
        helpers = (SNIFF_CSV,)
        detected_enc, detected_sep = names.var("encoding"), names.var("separator")
        lines.append(f"{detected_enc}, {detected_sep} = sniff_csv({path}, encoding={lit(encoding)})")
        sep_source = detected_sep if separator == "auto" else lit(separator)
        enc_source = detected_enc
    else:
        sep_source, enc_source = lit(separator), lit(encoding)
    lines.append(f"{out} = pd.read_csv({path}, sep={sep_source}, encoding={enc_source})")
    lines.append(f"{steps} = []  # fitted preprocessing steps, in order: (node id, transformer)")
    return Snippet(
        code="\n".join(lines),
        imports=(PD,),
        helpers=helpers,
        outputs={"data": DataRef(out, steps)},
        preview=f"{out}.head()",
        explanation=f"Reads the CSV file {params.dataset!r} from the data directory.",
    )
