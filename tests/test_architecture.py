"""The layout the code promises, checked: views reach case data only through the access
layer (casework/access.py) or a model's own behaviour."""

import ast
from pathlib import Path

CASEWORK = Path(__file__).resolve().parent.parent / "casework"
VIEWS = CASEWORK / "views"

# Case data: the case, its person, and everything hanging off either.
CASE_DATA_MODELS = {
    "Case",
    "Person",
    "Recruitment",
    "Contact",
    "Consent",
    "Note",
    "Task",
    "EmbassyRequest",
    "EmbassyDisclosure",
    "Document",
    "Escalation",
    "IdentityDocument",
    "Nationality",
    "Alias",
    "ControlMeans",
}


def _direct_queries(path: Path) -> list[str]:
    """Every `<CaseDataModel>.objects` in the module, as "file:line Model.objects"."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "objects"
            and isinstance(node.value, ast.Name)
            and node.value.id in CASE_DATA_MODELS
        ):
            found.append(f"{path.name}:{node.lineno} {node.value.id}.objects")
    return found


def _view_modules() -> list[Path]:
    """Every module under casework/views/, and the views.py of every package in casework
    (casework/stats/views.py and those to come)."""
    return sorted([*VIEWS.glob("*.py"), *CASEWORK.glob("*/views.py")])


def test_views_query_case_data_only_through_the_access_layer():
    modules = _view_modules()
    assert modules, "no view modules found"
    found = [hit for module in modules for hit in _direct_queries(module)]
    assert found == [], (
        "Views must reach case data through casework/access.py (a *_for or *_visible_to "
        "function) or a model method, not through <Model>.objects: " + ", ".join(found)
    )


def test_the_architecture_check_covers_the_views_of_packages():
    assert CASEWORK / "stats" / "views.py" in _view_modules()
    assert VIEWS / "cases.py" in _view_modules()


def test_the_architecture_check_sees_a_direct_query(tmp_path):
    module = tmp_path / "view.py"
    module.write_text("def v(request):\n    return Recruitment.objects.filter(case=1)\n")
    assert _direct_queries(module) == ["view.py:2 Recruitment.objects"]


ROOT = Path(__file__).resolve().parent.parent
MAX_FUNCTION_LINES = 60


def _long_functions(path: Path, root: Path) -> list[str]:
    """Every function or method of the module over MAX_FUNCTION_LINES lines (decorators
    not counted), as "path:line name (N lines)"."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = node.end_lineno - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                where = path.relative_to(root)
                found.append(f"{where}:{node.lineno} {node.name} ({length} lines)")
    return found


def test_no_function_outside_tests_is_longer_than_60_lines():
    modules = sorted(
        module
        for package in ("casework", "accounts")
        for module in (ROOT / package).rglob("*.py")
        if "migrations" not in module.relative_to(ROOT).parts
    )
    assert modules, "no modules found"
    found = [hit for module in modules for hit in _long_functions(module, ROOT)]
    assert found == [], (
        f"Functions over {MAX_FUNCTION_LINES} lines; split them into helpers by concept: "
        + ", ".join(found)
    )


def test_the_length_check_sees_a_long_function(tmp_path):
    module = tmp_path / "long.py"
    body = "".join(f"    x{i} = {i}\n" for i in range(60))
    module.write_text(f"def short():\n    pass\n\n\ndef long():\n{body}")
    assert _long_functions(module, tmp_path) == ["long.py:5 long (61 lines)"]
