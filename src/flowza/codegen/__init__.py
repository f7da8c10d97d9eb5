"""Export a workflow as Python source: a plain script or a Jupyter notebook (DESIGN.md section 3).

Every node module has a `code(params, names) -> Snippet` function giving its step as source;
`build.plan_export` asks each node in topological order and `script` / `notebook` render the result.
"""
