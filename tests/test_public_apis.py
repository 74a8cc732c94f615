"""Product code uses libraries' public APIs only.

Modules named ``internal`` carry no promise between releases: django-allauth 65.22 changed
``allauth.headless.internal.sessionkit`` and every session-token request answered 500.
Tests may use internals where no public way exists; product code may not.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("portal", "partners", "licensing", "billing", "deals", "pes")


def _imported_modules(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def test_product_code_imports_no_internal_module_of_a_library():
    offenders = sorted(
        f"{path.relative_to(ROOT)}: {module}"
        for package in PRODUCT
        for path in (ROOT / package).rglob("*.py")
        for module in _imported_modules(path)
        if "internal" in module.split(".") and not module.startswith(PRODUCT)
    )
    assert offenders == []


def test_the_check_finds_an_internal_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from allauth.headless.internal.sessionkit import x\nimport os\n")
    assert list(_imported_modules(sample)) == ["allauth.headless.internal.sessionkit", "os"]
