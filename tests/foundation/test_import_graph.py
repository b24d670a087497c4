"""The apps form a layered graph (ISSUE 13): `salescrm` is the core, custom fields sit on it,
leads on those, customers on leads, targets and documents on customers, performance on those,
and the apps of the upper layers on all of them; the REST API, the outward face of every app,
is the top. An app imports only the layers below its own (``LAYERS``); an import that goes the
other way or sideways (inside a function too, where it hides from a glance at the module's
top) makes two apps one tangle, so it is refused here by walking every module's syntax tree.
The same walk, module by module, refuses a cycle between two modules of one app."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Lowest first. An app may import the apps of the layers below its own, never one of its own
# layer or above (what the layers' apps import today, and nothing more):
LAYERS = (
    ("salescrm",),
    # custom fields: the definitions and values the lead and customer forms, lists and exports
    # (and the API) show; they need only the core
    ("customfields",),
    ("leads",),
    ("customers",),
    # documents attach to leads, customers and contracts; targets read contracts and activities
    ("targets", "documents"),
    ("performance",),
    ("enablement", "channels", "rhythm"),
    # both read rhythm's working calendar
    ("analytics", "success"),
    # the REST API serves the apps below it (documents, targets, the KPIs of performance); no
    # app calls it
    ("api",),
)
APPS = tuple(app for layer in LAYERS for app in layer)
LAYER_OF = {app: number for number, layer in enumerate(LAYERS) for app in layer}
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


def _upward_imports(edges: dict[tuple[str, str], str]) -> list[str]:
    """The imports of an app of its own layer or one above it."""
    return sorted(
        f"{importer} imports {imported} ({place})"
        for (importer, imported), place in edges.items()
        if LAYER_OF[imported] >= LAYER_OF[importer]
    )


def test_every_app_has_its_layer():
    # an app left out of LAYERS is left out of every check here (api, customfields and
    # documents were, until the layers named them)
    assert sorted(APPS) == sorted(path.parent.name for path in ROOT.glob("*/apps.py"))


def test_each_app_imports_only_the_layers_below_its_own():
    assert _upward_imports(_graph()) == []


def test_an_upward_or_sideways_import_is_refused():
    edges = {
        ("api", "documents"): "api/views.py:24",
        ("leads", "api"): "leads/views.py:3",
        ("leads", "customfields"): "leads/forms.py:11",
        ("customfields", "leads"): "customfields/values.py:9",
        ("channels", "rhythm"): "channels/services.py:5",
    }
    assert _upward_imports(edges) == [
        "channels imports rhythm (channels/services.py:5)",
        "customfields imports leads (customfields/values.py:9)",
        "leads imports api (leads/views.py:3)",
    ]


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


# --- no cycle between two modules of the project ------------------------------------------
# Inside an app too, two modules that import each other (through a third, or from inside a
# function, where the import only hides the cycle) load in one order and break in the other.
# A dependency runs one way: a task calls a service, a service queues a task defined below
# it, a piece both need sits in the lower module. No cycle has to stay, so none is excused.

PACKAGES = tuple(sorted(path.parent.name for path in ROOT.glob("*/apps.py")))


def _module_paths(root: Path = ROOT, packages=PACKAGES) -> dict[str, Path]:
    """Dotted name -> file of every module of the project's apps (migrations aside)."""
    found: dict[str, Path] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(root).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imported_modules(name: str, path: Path, modules: dict[str, Path]) -> dict[str, int]:
    """The project's modules that importing `name` may execute, anywhere in it (functions
    too), with a line of each. ``import a.b.c`` and ``from a.b import c`` run a, a.b and
    a.b.c (when c is a module) in turn; a module's own packages are left out, as they are
    already running when it is imported."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: dict[str, int] = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            else:
                base = node.module
            targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        else:
            continue
        for target in targets:
            parts = target.split(".")
            for end in range(1, len(parts) + 1):
                module = ".".join(parts[:end])
                if module in modules and not f"{name}.".startswith(f"{module}."):
                    found.setdefault(module, node.lineno)
    return found


def _module_cycles(root: Path = ROOT, packages=PACKAGES) -> list[str]:
    """One cycle through each group of modules that reach one another, spelt with the line of
    each import: "a (a.py:3) -> b (b.py:9) -> a"."""
    modules = _module_paths(root, packages)
    graph = {name: _imported_modules(name, path, modules) for name, path in modules.items()}
    reach = {name: _reachable(graph, name) for name in graph}
    cycles, seen = [], set()
    for name in sorted(graph):
        group = {other for other in reach[name] if name in reach[other]}
        if name in seen or not group:
            continue
        seen |= group
        path = _path_back(graph, name, group)
        steps = [
            f"{a} ({modules[a].relative_to(root)}:{graph[a][b]})"
            for a, b in zip(path, path[1:], strict=False)
        ]
        cycles.append(" -> ".join([*steps, name]))
    return cycles


def _reachable(graph: dict[str, dict[str, int]], start: str) -> set[str]:
    found, todo = set(), list(graph[start])
    while todo:
        name = todo.pop()
        if name not in found:
            found.add(name)
            todo.extend(graph[name])
    return found


def _path_back(graph: dict[str, dict[str, int]], start: str, group: set[str]) -> list[str]:
    """The shortest import path from `start` back to itself, as the modules it passes."""
    came_from: dict[str, str] = {}
    todo = [start]
    while todo:
        name = todo.pop(0)
        for other in sorted(graph[name]):
            if other == start:
                path = [name]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [*reversed(path), start]
            if other in group and other not in came_from:
                came_from[other] = name
                todo.append(other)
    raise AssertionError(f"{start} is in no cycle")


def test_no_module_of_the_project_imports_itself_through_others():
    assert _module_cycles() == []


def test_the_walk_sees_a_cycle_closed_inside_a_function(tmp_path):
    app = tmp_path / "shop"
    (app / "services").mkdir(parents=True)
    (app / "__init__.py").write_text("")
    (app / "services" / "__init__.py").write_text("from .orders import order_place\n")
    (app / "services" / "orders.py").write_text(
        "import os\n\n\ndef order_place():\n    from ..tasks import mail\n"
    )
    (app / "tasks.py").write_text("from shop import services\n")
    (app / "models.py").write_text("def f():\n    import shop.scoping\n")
    (app / "scoping.py").write_text("from .models import f\n")
    assert _module_cycles(tmp_path, ("shop",)) == [
        "shop.models (shop/models.py:2) -> shop.scoping (shop/scoping.py:1) -> shop.models",
        "shop.services (shop/services/__init__.py:1) -> shop.services.orders "
        "(shop/services/orders.py:5) -> shop.tasks (shop/tasks.py:1) -> shop.services",
    ]


def test_a_module_importing_its_own_package_or_a_lower_module_is_no_cycle(tmp_path):
    app = tmp_path / "shop"
    app.mkdir()
    (app / "__init__.py").write_text("from .models import Order\n")
    (app / "models.py").write_text("from shop import roles\n")
    (app / "roles.py").write_text("import shop\n")
    (app / "views.py").write_text("from . import models, roles\n")
    assert _module_cycles(tmp_path, ("shop",)) == []
