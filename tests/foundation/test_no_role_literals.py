"""Who may do what is read from the policies (salescrm.permissions, customers.policy), never
decided again in a page: no template tests a user's role, and no view compares anything with
a role's name written out as a string."""

import ast
import re
from pathlib import Path

from salescrm.roles import Role

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", "staticfiles", "node_modules", "tests", "test-artifacts"}
ROLE_NAMES = set(Role.values)


def _files(pattern):
    return [p for p in ROOT.rglob(pattern) if not SKIP & set(p.relative_to(ROOT).parts)]


def test_no_template_tests_a_role():
    role_test = re.compile(r"\.role\b|\bhas_role\b|\brole\s*(==|!=|in)\b")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _files("*.html")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if role_test.search(line)
    ]
    assert offenders == []


def _role_literals(node) -> list[str]:
    values = node.elts if isinstance(node, ast.Tuple | ast.List | ast.Set) else [node]
    return [v.value for v in values if isinstance(v, ast.Constant) and v.value in ROLE_NAMES]


def test_no_view_compares_with_a_role_name_literal():
    offenders = []
    for path in _files("views.py") + [p for p in _files("*.py") if p.parent.name == "views"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            operands = []
            if isinstance(node, ast.Compare):
                operands = [node.left, *node.comparators]
            elif isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "has_role":
                operands = node.args
            elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "role_required":
                operands = node.args
            for operand in operands:
                for name in _role_literals(operand):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name!r}")
    assert offenders == []
