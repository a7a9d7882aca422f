// The quick reader of a Feast registry (readFeastRegistry.ts): the same answer as the driver's
// `registry` mode (feastDriverSource.ts) in a tenth of a second instead of the seconds that
// importing Feast takes, for the common case of a registry kept in a local file.
//
// Feast's package is registered without running its __init__ (which imports every offline store,
// pandas, FastAPI, SQLAlchemy…), then the registry file is decoded by the Registry message of
// Feast's own generated protobuf modules, and field types are named by Feast's own
// feast.types.from_value_type: the schema is always the installed Feast's, and no byte of Feast's
// files is parsed here. Each listed value is taken as Feast's from_proto methods take it (the
// field names below are theirs).
//
// It reads only what it understands exactly and otherwise declines (`{"ok": false, "kind":
// "declined"}`), and the caller then asks Feast itself through the driver: a registry that is not a
// local file (SQL, S3, GCS, remote, a custom store), a feature_store.yaml with $VARIABLES, a
// registry that does not exist yet, populated registry fields it does not know (stream or label
// views, a newer Feast's additions), feature views with transformations or source views, struct or
// nested-collection types, data sources other than file, request and push sources, versioned
// projections. An interop test holds its answer equal to the driver's on real repositories.
import { FEAST_LOCATE_SOURCE } from './feastLocateSource.ts';

export const FEAST_QUICK_SOURCE = String.raw`
import importlib.util
import json
import os
import sys
import types

_out = sys.stdout
sys.stdout = sys.stderr
${FEAST_LOCATE_SOURCE}

REGISTRY_FIELDS = {"entities", "data_sources", "feature_views", "on_demand_feature_views", "feature_services", "projects",
                   "registry_schema_version", "version_id", "last_updated", "infra", "project_metadata", "saved_datasets",
                   "validation_references", "permissions", "feature_view_version_history"}
VIEW_FIELDS = {"name", "project", "entities", "features", "entity_columns", "description", "tags", "owner", "ttl",
               "batch_source", "stream_source", "online", "offline", "version"}
ON_DEMAND_FIELDS = {"name", "project", "features", "sources", "feature_transformation", "mode", "entities",
                    "entity_columns", "description", "tags", "owner", "version", "write_to_online_store", "singleton"}
SOURCE_CLASSES = {"FileSource", "RequestSource", "PushSource"}
INTERNAL_TAGS = ("feast:struct_schema", "feast:nested_inner_type")
TRACK_METRICS_TAG = "feast:track_metrics"
INPUT_SCHEMA_PREFIX = "__input_schema__"


class Declined(Exception):
    pass


def _answer(message):
    _out.write(json.dumps(message, default=str))
    _out.write("\n")
    _out.flush()


def _only(message, known, what):
    extra = sorted(f.name for f, _ in message.ListFields() if f.name not in known)
    if extra:
        raise Declined(what + " has " + ", ".join(extra))


def _registry_file(repo):
    import yaml

    with open(os.path.join(repo, "feature_store.yaml"), encoding="utf-8") as handle:
        text = handle.read()
    if "$" in text:
        raise Declined("feature_store.yaml uses environment variables, which Feast expands")
    config = yaml.safe_load(text) or {}
    registry = config.get("registry")
    if isinstance(registry, dict):
        if (registry.get("registry_type") or "file") != "file" or registry.get("registry_store_type"):
            raise Declined("the registry is not a file")
        path = registry.get("path")
    else:
        path = registry
    if not isinstance(path, str) or not path or "://" in path:
        raise Declined("the registry is not a local file")
    project = config.get("project")
    if not isinstance(project, str) or not project:
        raise Declined("feature_store.yaml names no project")
    file = path if os.path.isabs(path) else os.path.join(repo, path)
    if not os.path.isfile(file):
        raise Declined("the registry file does not exist yet")
    return config, path, file


def _stamp(meta):
    return meta.last_updated_timestamp.ToDatetime().isoformat() if meta.HasField("last_updated_timestamp") else None


def _fields(protos, from_value_type, ValueType):
    out = []
    for field in protos:
        value_type = ValueType(field.value_type)
        tags = dict(field.tags)
        if value_type.name in ("STRUCT", "STRUCT_LIST", "VALUE_LIST", "VALUE_SET") or any(tag in tags for tag in INTERNAL_TAGS):
            raise Declined("a field has a struct or nested type")
        out.append({"name": field.name, "dtype": str(from_value_type(value_type)), "description": field.description, "tags": tags})
    return out


def _source(proto):
    kind = (proto.data_source_class_type or "").rsplit(".", 1)[-1]
    if kind not in SOURCE_CLASSES:
        raise Declined("a data source is a " + (kind or "source of another kind"))
    if any(key.startswith("feast:") for key in proto.tags):
        raise Declined("a data source has Feast's own tags")
    detail = {}
    if kind == "FileSource" and proto.file_options.uri:
        detail["path"] = proto.file_options.uri
    return {
        "name": proto.name,
        "type": kind,
        # PushSource.from_proto leaves the timestamp field out (its proto copies the batch source's).
        "timestampField": "" if kind == "PushSource" else proto.timestamp_field,
        "description": proto.description,
        "tags": dict(proto.tags),
        "owner": proto.owner,
        "detail": detail,
    }


def _view(proto, typed):
    spec = proto.spec
    _only(spec, VIEW_FIELDS, "the feature view " + spec.name)
    return {
        "name": spec.name,
        "kind": "FeatureView",
        "features": _fields(spec.features, *typed),
        "entities": list(spec.entities),
        "entityColumns": _fields(spec.entity_columns, *typed),
        "ttlSeconds": 0.0 if spec.ttl.ToNanoseconds() == 0 else spec.ttl.ToTimedelta().total_seconds(),
        "source": spec.batch_source.name if spec.HasField("batch_source") else None,
        "streamSource": spec.stream_source.name if spec.HasField("stream_source") else None,
        "online": spec.online,
        "offline": spec.offline,
        "description": spec.description,
        "tags": dict(spec.tags),
        "owner": spec.owner,
        "updated": _stamp(proto.meta),
    }


def _on_demand(proto, typed):
    spec = proto.spec
    _only(spec, ON_DEMAND_FIELDS, "the on-demand feature view " + spec.name)
    views, requests = [], []
    for source in spec.sources.values():
        which = source.WhichOneof("source")
        if which == "feature_view":
            views.append(source.feature_view.spec.name)
        elif which == "feature_view_projection":
            views.append(source.feature_view_projection.feature_view_name)
        elif which == "request_data_source" and not source.request_data_source.name.startswith(INPUT_SCHEMA_PREFIX):
            requests.append(source.request_data_source.name)
        else:
            raise Declined("an on-demand feature view has a source of another kind")
    tags = dict(spec.tags)
    tags.pop(TRACK_METRICS_TAG, None)
    return {
        "name": spec.name,
        "features": _fields(spec.features, *typed),
        "sources": views + requests,
        "mode": spec.mode or "pandas",
        "description": spec.description,
        "tags": tags,
        "owner": spec.owner,
        "updated": _stamp(proto.meta),
    }


def _service(proto):
    features = []
    for projection in proto.spec.features:
        if projection.HasField("version_tag"):
            raise Declined("a feature service names a version of a view")
        features.append({"featureView": projection.feature_view_name_alias or projection.feature_view_name, "features": [f.name for f in projection.feature_columns]})
    spec = proto.spec
    return {"name": spec.name, "features": features, "description": spec.description, "tags": dict(spec.tags), "owner": spec.owner, "updated": _stamp(proto.meta)}


def _read(repo):
    config, path, file = _registry_file(repo)
    found = importlib.util.find_spec("feast")
    package = types.ModuleType("feast")
    package.__path__ = list(found.submodule_search_locations or [])
    package.__spec__ = found
    sys.modules["feast"] = package
    from importlib.metadata import version
    from feast.protos.feast.core.Registry_pb2 import Registry
    from feast.types import from_value_type
    from feast.value_type import ValueType

    typed = (from_value_type, ValueType)
    registry = Registry()
    with open(file, "rb") as handle:
        registry.ParseFromString(handle.read())
    _only(registry, REGISTRY_FIELDS, "the registry")
    names = []
    for project in registry.projects:
        if project.spec.name not in names:
            names.append(project.spec.name)
    if config["project"] not in names:
        names.insert(0, config["project"])
    projects = []
    for name in names:
        projects.append({
            "name": name,
            "entities": [{
                "name": e.spec.name, "joinKeys": [e.spec.join_key], "valueType": ValueType(e.spec.value_type).name,
                "description": e.spec.description, "tags": dict(e.spec.tags), "owner": e.spec.owner, "updated": _stamp(e.meta),
            } for e in registry.entities if e.spec.project == name and e.spec.name != "__dummy"],
            "dataSources": [_source(s) for s in registry.data_sources if s.project == name],
            "featureViews": [_view(v, typed) for v in registry.feature_views if v.spec.project == name],
            "onDemandFeatureViews": [_on_demand(v, typed) for v in registry.on_demand_feature_views if v.spec.project == name],
            "featureServices": [_service(s) for s in registry.feature_services if s.spec.project == name],
        })
    return {
        "ok": True,
        "feastVersion": version("feast"),
        "project": config["project"],
        "provider": str(config.get("provider") or "local"),
        "registry": {"type": "file", "path": path},
        "projects": projects,
        "locations": _locate(repo),
    }


def main():
    repo = os.path.abspath(sys.argv[1])
    if importlib.util.find_spec("feast") is None:
        _answer({"ok": False, "kind": "missing", "error": "No module named 'feast'"})
        return
    try:
        answer = _read(repo)
    except Declined as reason:
        _answer({"ok": False, "kind": "declined", "error": str(reason)})
        return
    except Exception as error:
        _answer({"ok": False, "kind": "declined", "error": type(error).__name__ + ": " + str(error)})
        return
    _answer(answer)


main()
`;
