// Where each object of a Feast repository is declared, found with Python's own parser (ast) over
// the repository's .py files, without importing them: a call to Entity(...), FeatureView(...),
// FeatureService(...), a data source class, or a function decorated with @on_demand_feature_view,
// with its name given as a string (name="...", or Entity's first argument, or the decorated
// function's name). Python source shared by the two registry readers (feastDriverSource.ts,
// feastQuickSource.ts), which define `_locate(repo)` by including it.

export const FEAST_LOCATE_SOURCE = String.raw`
import ast
import os

MAX_FILES = 2000
SKIP_DIRS = {"__pycache__", "node_modules", "site-packages", "venv", "env"}
FEATURE_VIEW_CLASSES = {"FeatureView", "BatchFeatureView", "StreamFeatureView"}
ON_DEMAND = {"OnDemandFeatureView", "on_demand_feature_view"}


def _callee(node):
    func = node.func if isinstance(node, ast.Call) else node
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _kind_of(callee):
    if callee is None:
        return None
    if callee == "Entity":
        return "entity"
    if callee in FEATURE_VIEW_CLASSES:
        return "featureView"
    if callee in ON_DEMAND:
        return "onDemandFeatureView"
    if callee == "FeatureService":
        return "featureService"
    if callee.endswith("Source"):
        return "dataSource"
    return None


def _string_kw(call, name):
    for kw in call.keywords:
        if kw.arg == name and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
            return kw.value.value
    return None


def _locate(repo):
    found = {}
    seen = 0
    for folder, dirs, files in os.walk(repo):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS)
        for file in sorted(files):
            if not file.endswith(".py"):
                continue
            seen += 1
            if seen > MAX_FILES:
                return found
            path = os.path.join(folder, file)
            try:
                with open(path, "rb") as handle:
                    tree = ast.parse(handle.read(), filename=path)
            except (OSError, SyntaxError, ValueError):
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Call):
                    kind = _kind_of(_callee(node))
                    if kind is None or kind == "onDemandFeatureView":
                        continue
                    name = _string_kw(node, "name")
                    if name is None and kind == "entity" and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                        name = node.args[0].value
                    if name is not None:
                        found.setdefault(kind + ":" + name, {"file": path, "line": node.lineno, "column": node.col_offset})
                elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    for decorator in node.decorator_list:
                        if _kind_of(_callee(decorator)) != "onDemandFeatureView":
                            continue
                        name = (_string_kw(decorator, "name") if isinstance(decorator, ast.Call) else None) or node.name
                        found.setdefault("onDemandFeatureView:" + name, {"file": path, "line": node.lineno, "column": node.col_offset})
    return found
`;
