"""The package's surface: the names the issue relies on, docstrings on
everything, and type stubs (_core.pyi) that list what _core has."""

import ast
import inspect
import pathlib

import deepbach
from deepbach import _core

STUB = pathlib.Path(deepbach.__file__).with_name("_core.pyi")


def stub_names():
    tree = ast.parse(STUB.read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return {n for n in names if not n.startswith("_") or n.startswith("__") or n in ("_harmonize", "_generate",
                                                                                      "_reharmonize", "_sample_grid")}


def core_names():
    return {n for n in dir(_core) if not (n.startswith("__") and n != "__version__")}


def test_the_api_the_issue_names():
    for name in ("read_score", "write_score", "Model", "harmonize", "generate", "reharmonize", "Constraints",
                 "Score", "Chorale", "Error", "train", "evaluate"):
        assert hasattr(deepbach, name), name
    assert callable(deepbach.Model.load) and callable(deepbach.Model.default)
    assert callable(deepbach.Score.to_chorale) and callable(deepbach.Chorale.to_score)
    assert isinstance(deepbach.Chorale.tokens, property) or hasattr(deepbach.Chorale, "tokens")
    assert issubclass(deepbach.Error, Exception) and issubclass(deepbach.Cancelled, deepbach.Error)
    params = inspect.signature(deepbach.harmonize).parameters
    assert list(params)[:2] == ["melody", "constraints"]
    for name, default in (("model", None), ("seed", None), ("iterations", None), ("temperature", 1.0),
                          ("chains", 1)):
        assert params[name].kind is inspect.Parameter.KEYWORD_ONLY and params[name].default == default
    for name in deepbach.__all__:
        assert hasattr(deepbach, name), name


def test_stubs_list_everything_in_core():
    stubbed = stub_names()
    present = core_names()
    missing = present - stubbed
    if not deepbach.HAVE_TORCH:
        stubbed.discard("TrainProgress")
    extra = stubbed - present - {"TrainProgress"}
    assert not missing, f"in _core but not in _core.pyi: {sorted(missing)}"
    assert not extra, f"in _core.pyi but not in _core: {sorted(extra)}"


def test_stub_methods_exist():
    tree = ast.parse(STUB.read_text(encoding="utf-8"))
    for node in tree.body:
        if not isinstance(node, ast.ClassDef) or not hasattr(_core, node.name):
            continue
        cls = getattr(_core, node.name)
        for item in node.body:
            name = getattr(item, "name", None) or (item.target.id if isinstance(item, ast.AnnAssign) else None)
            if name and not name.startswith("_"):
                assert hasattr(cls, name), f"{node.name}.{name} is in the stub but not in _core"


def test_docstrings_everywhere():
    undocumented = []
    for name in sorted(core_names()):
        obj = getattr(_core, name)
        if isinstance(obj, (int, bool, str, tuple)):
            continue
        if not (obj.__doc__ or "").strip():
            undocumented.append(name)
        if inspect.isclass(obj) and not issubclass(obj, BaseException):
            for attr, value in vars(obj).items():
                if attr.startswith("_"):
                    continue
                doc = getattr(value, "__doc__", None)
                if isinstance(value, property):
                    doc = value.__doc__
                if not (doc or "").strip():
                    undocumented.append(f"{name}.{attr}")
    for name in ("harmonize", "generate", "reharmonize", "sample_grid", "decode", "encode"):
        if not (getattr(deepbach, name).__doc__ or "").strip():
            undocumented.append(name)
    assert not undocumented, undocumented


def test_version():
    assert deepbach.__version__.count(".") == 2
