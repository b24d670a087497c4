"""The apps form a layered graph (ISSUE 13): `salescrm` is the core, leads builds on it,
customers on leads, targets and performance on those, channels on all of them. An import that goes the other way
(inside a function too, where it hides from a glance at the module's top) makes two apps
one tangle, so it is refused here by walking every module's syntax tree."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = (
    "salescrm",
    "leads",
    "customers",
    "targets",
    "performance",
    "enablement",
    "channels",
    "analytics",
    "rhythm",
    "success",
)
# The project's URLconf and settings name every app by design.
CORE_MAY_NAME_APPS = {"salescrm/settings.py", "salescrm/test_settings.py", "salescrm/urls.py"}


def _modules(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def _imported_apps(path: Path, root: Path = ROOT) -> dict[str, int]:
    """The other apps `path` imports, anywhere in the module, with a line of each."""
    app = path.relative_to(root).parts[0]
    found: dict[str, int] = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in APPS and top != app:
                found.setdefault(top, node.lineno)
    return found


DOTTED_APP_PATH = re.compile(rf"^({'|'.join(APPS)})(\.\w+)+$")


def _dotted_paths(path: Path, root: Path = ROOT) -> dict[str, int]:
    """Strings naming a module of another app by dotted path (for ``import_string``): an
    import in all but name. Docstrings aside."""
    app = path.relative_to(root).parts[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    found: dict[str, int] = {}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
            and DOTTED_APP_PATH.match(node.value)
            and node.value.split(".")[0] != app
        ):
            found.setdefault(node.value, node.lineno)
    return found


def _graph() -> dict[tuple[str, str], str]:
    """(importer, imported) -> one place it happens, "path:line"."""
    edges: dict[tuple[str, str], str] = {}
    for app in APPS:
        for path in _modules(app):
            if str(path.relative_to(ROOT)) in CORE_MAY_NAME_APPS:
                continue
            for other, line in _imported_apps(path).items():
                edges.setdefault((app, other), f"{path.relative_to(ROOT)}:{line}")
    return edges


def test_no_two_apps_import_each_other():
    edges = _graph()
    cycles = sorted(
        f"{a} ⇄ {b} ({edges[(a, b)]} and {edges[(b, a)]})"
        for a, b in edges
        if (b, a) in edges and a < b
    )
    assert cycles == []


def test_the_core_imports_none_of_the_apps_built_on_it():
    offending = sorted(
        f"{path.relative_to(ROOT)}:{line} imports {other}"
        for path in _modules("salescrm")
        if str(path.relative_to(ROOT)) not in CORE_MAY_NAME_APPS
        for other, line in [*_imported_apps(path).items(), *_dotted_paths(path).items()]
    )
    assert offending == []


def test_the_walk_sees_an_import_hidden_inside_a_function(tmp_path):
    hidden = tmp_path / "leads" / "hidden.py"
    hidden.parent.mkdir()
    hidden.write_text("import salescrm\n\n\ndef f():\n    from customers.models import Customer\n")
    assert _imported_apps(hidden, tmp_path) == {"salescrm": 1, "customers": 5}


def test_the_walk_sees_an_app_named_by_dotted_path(tmp_path):
    module = tmp_path / "salescrm" / "menu.py"
    module.parent.mkdir()
    module.write_text('"""Names customers.views in prose."""\nBADGE = "customers.views.badge"\n')
    assert _dotted_paths(module, tmp_path) == {"customers.views.badge": 2}


def _hard_coded_paths(path: Path) -> list[str]:
    """String pieces (f-strings' too) that start with one of the apps' URL prefixes."""
    prefixes = tuple(f"/{app}/" for app in APPS[1:])
    return sorted(
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value.startswith(prefixes)
    )


def test_services_and_jobs_reverse_their_links_instead_of_spelling_paths():
    offending = [
        place
        for app in APPS
        for path in _modules(app)
        if path.name in ("services.py", "tasks.py")
        for place in _hard_coded_paths(path)
    ]
    assert offending == []
