// The Python side of Apply and Materialize Incremental as tracked runs (feastRun.ts): a script
// Labbook ships as a string, written to a private cache folder (pythonScript) and launched like any
// tracked script, so its output, code, environment and the data it read and wrote are captured.
//
//   python labbook_feast_run.py apply <repo folder>
//   python labbook_feast_run.py materialize-incremental <repo folder> <end, ISO 8601> [feature view ...]
//
// `apply` is what `feast apply` does (feast.repo_operations.apply_total, the CLI's own function,
// which prints what it created, updated and deleted). `materialize-incremental` is
// FeatureStore.materialize_incremental. Both run in this process, not through the `feast` CLI, so
// the run's data observation sees the files Feast reads and writes. What the run did is reported
// by `labbook:` lines (metricLines.ts), which Labbook logs on the run with no mlflow needed in
// the interpreter: the operation, project and Feast version as params, then the registry's objects
// after apply, or each feature view's materialized interval (the intervals Feast recorded in the
// registry during this run) as tags. Exit codes: 0 done, 1 Feast failed (its traceback is in the
// output), 2 bad arguments, 3 Feast is not installed.

export const FEAST_RUN_SOURCE = String.raw`
import json
import os
import re
import sys
import traceback
from datetime import datetime, timezone

MAX_VALUE = 5000


def _say(kind, values):
    print("labbook: " + json.dumps({kind: values}), flush=True)


def _key(name):
    return re.sub(r"[^A-Za-z0-9_\-. /]", "_", name)


def _listed(names):
    text = ",".join(sorted(names))
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def _utc(moment):
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _iso(moment):
    return _utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def _apply(repo, store, project):
    from pathlib import Path
    from feast import FeatureStore
    from feast.repo_operations import apply_total

    apply_total(store.config, Path(repo), skip_source_validation=False)
    registry = FeatureStore(repo_path=repo).registry
    views = [v.name for v in registry.list_feature_views(project, allow_cache=False)]
    on_demand = [v.name for v in registry.list_on_demand_feature_views(project, allow_cache=False)]
    services = [s.name for s in registry.list_feature_services(project, allow_cache=False)]
    entities = [e.name for e in registry.list_entities(project, allow_cache=False) if e.name != "__dummy"]
    _say("tags", {
        "feast.feature_views": _listed(views),
        "feast.on_demand_feature_views": _listed(on_demand),
        "feast.feature_services": _listed(services),
        "feast.entities": _listed(entities),
    })


def _materialize(repo, store, project, end_text, names):
    from feast import FeatureStore

    try:
        end = _utc(datetime.fromisoformat(end_text.replace("Z", "+00:00")))
    except ValueError:
        print("The end date " + repr(end_text) + " is not an ISO 8601 date and time, such as 2026-12-04T10:00:00Z.", file=sys.stderr)
        sys.exit(2)
    known = {v.name: v for v in store.registry.list_feature_views(project, allow_cache=False)}
    unknown = [name for name in names if name not in known]
    if unknown:
        print("No feature view named " + ", ".join(unknown) + " in the project " + project + " (apply the repository first).", file=sys.stderr)
        sys.exit(2)
    before = {name: len(view.materialization_intervals) for name, view in known.items()}
    _say("params", {"feast.end_date": _iso(end), "feast.feature_views": _listed(names) if names else "(every online feature view)"})
    store.materialize_incremental(end_date=end, feature_views=list(names) or None)
    after = FeatureStore(repo_path=repo).registry.list_feature_views(project, allow_cache=False)
    tags = {}
    done = []
    for view in after:
        added = view.materialization_intervals[before.get(view.name, 0):]
        if not added:
            continue
        done.append(view.name)
        start = min(interval[0] for interval in added)
        stop = max(interval[1] for interval in added)
        tags["feast.materialized." + _key(view.name)] = _iso(start) + "/" + _iso(stop)
    tags["feast.materialized_views"] = _listed(done)
    _say("tags", tags)


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("apply", "materialize-incremental") or (sys.argv[1] == "materialize-incremental" and len(sys.argv) < 4):
        print("usage: labbook_feast_run.py apply REPO | materialize-incremental REPO END [FEATURE_VIEW ...]", file=sys.stderr)
        sys.exit(2)
    operation = sys.argv[1]
    repo = os.path.abspath(sys.argv[2])
    try:
        import feast
        from feast import FeatureStore
    except ImportError as error:
        print("Feast is not installed in " + sys.executable + " (" + str(error) + "). Install it with:\n  " + sys.executable + " -m pip install feast", file=sys.stderr)
        sys.exit(3)
    os.chdir(repo)
    if repo not in sys.path:
        sys.path.insert(0, repo)
    sys.dont_write_bytecode = True
    try:
        store = FeatureStore(repo_path=repo)
        project = store.config.project
        _say("params", {"feast.operation": operation, "feast.project": project, "feast.version": feast.__version__})
        if operation == "apply":
            _apply(repo, store, project)
        else:
            _materialize(repo, store, project, sys.argv[3], sys.argv[4:])
    except SystemExit:
        raise
    except Exception:
        traceback.print_exc()
        print("Feast " + operation + " failed in " + repo + ": see the error above.", file=sys.stderr)
        sys.exit(1)
    print("Feast " + operation + " of " + project + " done.", flush=True)


main()
`;
