"""Validation errors and lint warnings, each naming the node and field at fault."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal


@dataclass(frozen=True)
class Issue:
    level: Literal["error", "warning"]
    code: str
    message: str
    node_id: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = ""
        if self.node_id is not None:
            where = f"node {self.node_id!r}"
            if self.field:
                where += f", field {self.field!r}"
            where += ": "
        elif self.field:
            where = f"field {self.field!r}: "
        return f"{where}{self.message}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Report:
    issues: list[Issue] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.level == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.level == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, code: str, message: str, node_id: str | None = None, field: str | None = None) -> None:
        self.issues.append(Issue("error", code, message, node_id, field))

    def warn(self, code: str, message: str, node_id: str | None = None, field: str | None = None) -> None:
        self.issues.append(Issue("warning", code, message, node_id, field))

    @staticmethod
    def from_dict(document: dict[str, Any]) -> Report:
        issues = [Issue(**item) for item in [*document.get("errors", []), *document.get("warnings", [])]]
        return Report(issues)

    def to_dict(self) -> dict[str, Any]:
        return {
            "valid": self.ok,
            "errors": [i.to_dict() for i in self.errors],
            "warnings": [i.to_dict() for i in self.warnings],
        }


class ValidationFailed(Exception):
    def __init__(self, report: Report) -> None:
        lines = "; ".join(str(i) for i in report.errors[:5])
        super().__init__(f"the workflow is not valid: {lines}")
        self.report = report
