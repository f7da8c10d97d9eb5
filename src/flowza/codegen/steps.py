"""Source for the steps that fit on the train part and transform every row (DESIGN.md section 5).

Each such step is a `ColumnTransformer(..., remainder="passthrough", verbose_feature_names_out=False)`
with pandas output, fitted by the script's `fit_step` exactly as Flowza's `fit_step` does, and
appended to the list of fitted steps a model will carry in its pipeline.
"""

from __future__ import annotations

from flowza.codegen.helpers import FIT_STEP
from flowza.codegen.snippet import PD, DataRef, Helper, Import, Names, Snippet, indent, lit

COLUMN_TRANSFORMER = Import("sklearn.compose", "ColumnTransformer")


def default_columns(names: Names, data: DataRef, condition: str) -> str:
    """A list comprehension choosing the feature columns (the target excluded) for which `condition` holds;
    `condition` is a format string reading the column as `{c}`."""
    target = names.target_of(data)
    frame = data.frame
    test = condition.format(c=f"{frame}[c]")
    if target is None:
        return f"[c for c in {frame}.columns if {test}]"
    return f"[c for c in {frame}.columns if c != {lit(target)} and {test}]"


def column_transformer(transformers: str) -> str:
    return (
        f'ColumnTransformer(\n    {transformers},\n    remainder="passthrough",\n'
        '    verbose_feature_names_out=False,\n).set_output(transform="pandas")'
    )


def fitted_step(
    names: Names,
    data: DataRef,
    make_step: str,
    *,
    condition: str | None,
    before: str = "",
    imports: tuple[Import, ...] = (),
    helpers: tuple[Helper, ...] = (),
    explanation: str = "",
) -> Snippet:
    """The snippet of a stateful step: fit `make_step` (source of a transformer) when `condition`
    (an expression, or None for always) holds, else pass the data on unchanged."""
    step, out, steps = names.var("step"), names.var("data"), names.var("steps")
    target = names.target_of(data)
    fit = (
        f"{step} = {make_step}\n"
        f"{out} = fit_step({data.frame}, {lit(target)}, {data.train_rows}, {step})\n"
        f"{steps} = [*{data.steps}, ({lit(names.node_id)}, {step})]"
    )
    if condition is None:
        body = fit
    else:
        body = f"if {condition}:\n{indent(fit)}\nelse:\n    {out}, {steps} = {data.frame}, {data.steps}"
    code = f"{before}\n{body}" if before else body
    ref = DataRef(out, steps, data.target, data.train_rows, data.test_rows)
    return Snippet(
        code=code,
        imports=(PD, *imports),
        helpers=(*helpers, FIT_STEP),
        outputs={"data": ref},
        preview=f"{out}.head()",
        explanation=explanation,
    )
