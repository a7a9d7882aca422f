// The fixed part of the generated pipeline.py: a small DAG runner with a content-addressed cache.
// generate.ts prepends the docstring and the STEPS / METRICS tables. Kept free of `${` so it can
// live in a raw template string.

export const RUNNER_BODY = String.raw`
CACHE_VERSION = 2
SMALL_DATA_PARAMETERS = ("n_rows", "nrows", "sample_size", "max_rows", "n_samples", "small")


@dataclass
class RunResult:
    """What a run did: the steps it ran and skipped, the metrics, and the outputs it holds in memory."""

    ran: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    metrics: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)


def notebook_folder(override=None):
    """The folder the steps run in: override or $LABBOOK_NOTEBOOK_DIR (relative to the current
    directory), else NOTEBOOK_DIR (relative to this package)."""
    chosen = override or os.environ.get("LABBOOK_NOTEBOOK_DIR")
    folder = (Path(chosen) if chosen else ROOT / NOTEBOOK_DIR).resolve()
    if not folder.is_dir():
        raise SystemExit(f"pipeline: the notebook folder {folder} does not exist; pass --notebook-dir or set LABBOOK_NOTEBOOK_DIR")
    return folder


@contextmanager
def in_folder(folder):
    """Runs the block with folder as the current directory and importable, as in the notebook's kernel."""
    previous = os.getcwd()
    entry = str(folder)
    added = entry not in sys.path
    if added:
        sys.path.append(entry)
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(previous)
        if added and entry in sys.path:
            sys.path.remove(entry)


def load_params(path=None, overrides=()):
    """params.yaml (or the given file), then KEY=VALUE overrides parsed as YAML values."""
    params = {}
    file = Path(path) if path else ROOT / "params.yaml"
    if file.exists():
        with open(file, encoding="utf-8") as fh:
            params.update(yaml.safe_load(fh) or {})
    elif path:
        raise SystemExit(f"pipeline: no parameters file {file}")
    for item in overrides:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise SystemExit(f"pipeline: --set expects key=value, got {item!r}")
        params[key.strip()] = yaml.safe_load(value)
    return params


def _code_hash(name):
    digest = hashlib.sha256()
    for file in (ROOT / "steps" / f"{name}.py", ROOT / "steps" / "_shared.py"):
        if file.exists():
            digest.update(file.read_bytes())
    return digest.hexdigest()


def _file_hash(path):
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _is_estimator(value):
    return type(value).__module__.startswith(("sklearn.", "xgboost.", "lightgbm.")) and hasattr(value, "get_params")


def save_value(value, base):
    """Saves one output by type: DataFrame/Series as Parquet, arrays and estimators with joblib, the rest pickled."""
    module = type(value).__module__.split(".")[0]
    kind = type(value).__name__
    if module == "pandas" and kind == "DataFrame" and all(isinstance(c, str) for c in value.columns):
        file = base.with_suffix(".parquet")
        try:
            value.to_parquet(file)
            return file, "parquet", {}
        except (ValueError, TypeError, NotImplementedError, OSError):  # a column Parquet cannot hold: pickle it
            file.unlink(missing_ok=True)
    if module == "pandas" and kind == "Series" and (value.name is None or isinstance(value.name, str)):
        file = base.with_suffix(".parquet")
        try:
            value.to_frame(name="value").to_parquet(file)
            return file, "parquet-series", {"series_name": value.name}
        except (ValueError, TypeError, NotImplementedError, OSError):
            file.unlink(missing_ok=True)
    if (module == "numpy" and kind == "ndarray") or _is_estimator(value):
        import joblib

        file = base.with_suffix(".joblib")
        joblib.dump(value, file)
        return file, "joblib", {}
    file = base.with_suffix(".pkl")
    with open(file, "wb") as fh:
        pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return file, "pickle", {}


def load_value(file, record):
    """Reads back what save_value wrote."""
    fmt = record["format"]
    if fmt in ("parquet", "parquet-series"):
        import pandas as pd

        frame = pd.read_parquet(file)
        if fmt == "parquet":
            return frame
        series = frame["value"]
        series.name = record.get("series_name")
        return series
    if fmt == "joblib":
        import joblib

        return joblib.load(file)
    with open(file, "rb") as fh:
        return pickle.load(fh)


def _read_meta(file):
    try:
        with open(file, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return None


def _cached_outputs_present(folder, meta):
    return all(o["format"] == "unsaved" or (folder / o["file"]).exists() for o in meta.get("outputs", {}).values())


def _needed_downstream(step_name, output):
    return any(i["from"] == step_name and i["name"] == output for s in STEPS for i in s["inputs"])


def _selected(only):
    if only is None:
        return {s["name"] for s in STEPS}
    by_name = {s["name"]: s for s in STEPS}
    if only not in by_name:
        raise SystemExit(f"pipeline: no step named {only!r}; steps: {', '.join(by_name)}")
    wanted, todo = set(), [only]
    while todo:
        name = todo.pop()
        if name in wanted:
            continue
        wanted.add(name)
        todo.extend(i["from"] for i in by_name[name]["inputs"])
        todo.extend(by_name[name]["after"])
    return wanted


def _value(values, records, cache, step_name, output):
    if (step_name, output) not in values:
        record = records.get(step_name, {}).get("outputs", {}).get(output)
        if record is None or record["format"] == "unsaved":
            raise KeyError(f"{step_name}.{output}")
        values[(step_name, output)] = load_value(cache / step_name / record["file"], record)
    return values[(step_name, output)]


def _as_number(value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    return int(value) if isinstance(value, numbers.Integral) else float(value)


def run(params=None, *, cache_dir=None, force=False, only=None, log=print, notebook_dir=None):
    """Runs the steps in order, each in the notebook's folder; a step whose code, inputs, parameters and folder are unchanged since its last run is skipped."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    params = dict(load_params() if params is None else params)
    cache = Path(cache_dir).resolve() if cache_dir else ROOT / ".pipeline_cache"
    folder_of_notebook = notebook_folder(notebook_dir)
    selected = _selected(only)
    result = RunResult()
    records = {}
    for step in STEPS:
        name = step["name"]
        if name not in selected:
            continue
        missing = [p for p in step["params"] if p not in params]
        if missing:
            raise SystemExit(f"pipeline: step {name} needs the parameter(s) {', '.join(missing)}; add them to params.yaml or pass --set")
        for i in step["inputs"]:
            if i["from"] not in records:
                raise SystemExit(f"pipeline: step {name} needs {i['name']} from {i['from']}, which has not run")
        key_source = {
            "version": CACHE_VERSION,
            "code": _code_hash(name),
            "inputs": {i["name"]: records[i["from"]]["outputs"][i["name"]]["hash"] for i in step["inputs"]},
            "params": {p: params[p] for p in step["params"]},
            "folder": str(folder_of_notebook),
        }
        key = hashlib.sha256(json.dumps(key_source, sort_keys=True, default=repr).encode()).hexdigest()
        folder = cache / name
        previous = _read_meta(folder / "meta.json")
        if not force and previous and previous.get("key") == key and _cached_outputs_present(folder, previous):
            records[name] = previous
            result.skipped.append(name)
            log(f"[pipeline] skip {name} (unchanged since the last run)")
            continue
        kwargs = {i["name"]: _value(result.values, records, cache, i["from"], i["name"]) for i in step["inputs"]}
        kwargs.update({p: params[p] for p in step["params"]})
        log(f"[pipeline] run {name}")
        started = time.perf_counter()
        function = getattr(importlib.import_module(f"steps.{name}"), name)
        with in_folder(folder_of_notebook):
            returned = function(**kwargs)
        absent = [o for o in step["outputs"] if o not in returned]
        if absent:
            raise RuntimeError(f"step {name} did not return {', '.join(absent)}")
        folder.mkdir(parents=True, exist_ok=True)
        outputs = {}
        for output in step["outputs"]:
            value = returned[output]
            result.values[(name, output)] = value
            try:
                file, fmt, extra = save_value(value, folder / output)
                outputs[output] = {"file": file.name, "format": fmt, "hash": _file_hash(file), **extra}
            except (pickle.PicklingError, TypeError, AttributeError, ValueError, OSError) as error:
                if _needed_downstream(name, output):
                    raise RuntimeError(f"step {name}: cannot save {output!r} for the next step ({error})") from error
                log(f"[pipeline] warning: {name}.{output} could not be saved ({error}); it is not cached")
                outputs[output] = {"format": "unsaved", "hash": None}
        meta = {"key": key, "outputs": outputs, "seconds": round(time.perf_counter() - started, 3)}
        with open(folder / "meta.json", "w", encoding="utf-8") as fh:
            json.dump(meta, fh, indent=2, sort_keys=True)
        records[name] = meta
        result.ran.append(name)
    for metric, owner in METRICS:
        if owner not in records:
            continue
        try:
            number = _as_number(_value(result.values, records, cache, owner, metric))
        except KeyError:
            continue
        if number is not None:
            result.metrics[metric] = number
    return result


def small_params(params):
    """The parameters with data-size knobs turned down, for smoke tests."""
    small = dict(params)
    for key in SMALL_DATA_PARAMETERS:
        value = small.get(key)
        if isinstance(value, bool):
            small[key] = True
        elif isinstance(value, int) and value > 200:
            small[key] = 200
    return small


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--params", help="a parameters file instead of params.yaml")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override one parameter (repeatable)")
    parser.add_argument("--force", action="store_true", help="rerun every step, even unchanged ones")
    parser.add_argument("--only", metavar="STEP", help="run this step (and any step it needs that has no cached outputs)")
    parser.add_argument("--cache-dir", help="where step outputs are kept (default: .pipeline_cache)")
    parser.add_argument("--notebook-dir", metavar="DIR", help=f"the folder the steps run in (default: {NOTEBOOK_DIR}, relative to this package)")
    args = parser.parse_args(argv)
    params = load_params(args.params, args.set)
    result = run(params, cache_dir=args.cache_dir, force=args.force, only=args.only, notebook_dir=args.notebook_dir)
    print(f"[pipeline] {len(result.ran)} step(s) ran, {len(result.skipped)} skipped", flush=True)
    print(json.dumps(result.metrics, sort_keys=True), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
`;

export const RUNNER_IMPORTS = `import argparse
import hashlib
import importlib
import json
import numbers
import os
import pickle
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import yaml
`;
