// The Python side of the training–serving skew check (feastSkew.ts), shipped as a string and run
// once per check in the repository's interpreter:
//   python skew.py <repo> <feature service> <entities file> <sample size> <seed>
// It reads the entity keys (CSV, TSV, Parquet or JSON lines; extra columns such as request-source
// fields are passed on), samples them (seeded), then asks Feast for the service's features both
// ways at the same moment: offline with get_historical_features at now (each row tagged so the
// answer is put back in the entities' order, whatever order Feast returns) and online with
// get_online_features, with each online value's event time. It prints one JSON object: the keys,
// and per feature its view, type, TTL, offline values, online values and online event times (epoch
// seconds; null when the online store has no value). Python's own stdout goes to stderr.

export const FEAST_SKEW_SOURCE = String.raw`
import json
import math
import os
import sys

_out = sys.stdout
sys.stdout = sys.stderr


def _answer(message):
    _out.write(json.dumps(message, default=str))
    _out.write("\n")
    _out.flush()


def _plain(value):
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _read(path):
    import pandas as pd

    ext = os.path.splitext(path)[1].lower()
    if ext == ".parquet":
        return pd.read_parquet(path)
    if ext in (".jsonl", ".ndjson", ".json"):
        return pd.read_json(path, lines=True)
    return pd.read_csv(path, sep="\t" if ext == ".tsv" else ",")


def main():
    repo = os.path.abspath(sys.argv[1])
    service_name, entities_file = sys.argv[2], os.path.abspath(sys.argv[3])
    sample, seed = int(sys.argv[4]), int(sys.argv[5])
    try:
        import feast
        import pandas as pd
        from feast import FeatureStore
    except ImportError as error:
        _answer({"ok": False, "kind": "missing", "error": str(error)})
        return
    try:
        entities = _read(entities_file)
    except Exception as error:
        _answer({"ok": False, "kind": "input", "error": "the entities file " + entities_file + " could not be read: " + type(error).__name__ + ": " + str(error)})
        return
    try:
        os.chdir(repo)
        store = FeatureStore(repo_path=repo)
        service = store.get_feature_service(service_name)
        views = {}
        keys = []
        for view in store.list_feature_views():
            views[view.name] = view
        features = []
        for projection in service.feature_view_projections:
            view = views.get(projection.name)
            if view is not None:
                for column in view.entity_columns:
                    if column.name not in keys:
                        keys.append(column.name)
            ttl = view.ttl.total_seconds() if view is not None and view.ttl else None
            for field in projection.features:
                features.append({"name": projection.name_to_use() + "__" + field.name, "view": projection.name, "feature": field.name, "dtype": str(field.dtype), "ttlSeconds": ttl})
    except Exception as error:
        _answer({"ok": False, "kind": "repo", "error": type(error).__name__ + ": " + str(error)})
        return
    missing = [key for key in keys if key not in entities.columns]
    if missing:
        _answer({"ok": False, "kind": "input", "error": "the entities file has no column " + ", ".join(missing) + " (the join keys of " + service_name + ": " + ", ".join(keys) + ")"})
        return
    entities = entities.drop(columns=[c for c in ("event_timestamp", "__labbook_row") if c in entities.columns])
    total = len(entities)
    if total > sample:
        entities = entities.sample(n=sample, random_state=seed)
    entities = entities.reset_index(drop=True)
    now = pd.Timestamp.now(tz="UTC")
    try:
        entity_df = entities.copy()
        entity_df["event_timestamp"] = now
        entity_df["__labbook_row"] = range(len(entity_df))
        offline = store.get_historical_features(entity_df=entity_df, features=service, full_feature_names=True).to_df()
        offline = offline.set_index("__labbook_row").reindex(range(len(entities)))
        rows = [{k: _plain(v) for k, v in row.items()} for row in entities.to_dict("records")]
        online = store.get_online_features(features=service, entity_rows=rows, full_feature_names=True).to_dict(include_event_timestamps=True)
    except Exception as error:
        _answer({"ok": False, "kind": "repo", "error": type(error).__name__ + ": " + str(error)})
        return
    for feature in features:
        name = feature["name"]
        feature["offline"] = [_plain(v) for v in offline[name]] if name in offline.columns else [None] * len(entities)
        feature["online"] = [_plain(v) for v in online.get(name, [None] * len(entities))]
        stamps = online.get(name + "__ts", [None] * len(entities))
        feature["onlineTime"] = [None if v is None or feature["online"][i] is None else _plain(v) for i, v in enumerate(stamps)]
    _answer({
        "ok": True,
        "feastVersion": feast.__version__,
        "project": store.config.project,
        "service": service_name,
        "now": now.timestamp(),
        "keys": keys,
        "rows": [{key: row.get(key) for key in keys} for row in rows],
        "total": total,
        "features": features,
    })


main()
`;
