// The Python side of reading a Feast repository (readFeastRegistry.ts, feastPlan.ts), shipped as a
// string like the Optuna driver and written to a private cache folder. Run once per read, in the
// interpreter the user selected: `python driver.py <repo folder> [registry|plan]`. It prints one
// JSON object on stdout; Python's own stdout (a library's print) goes to stderr so it never
// corrupts the answer.
//
// `plan` is what `feast plan` computes, as data: the repository's definitions are loaded as Feast
// loads them (feast.repo_operations.parse_repo, which imports the repository's files: trusted
// workspaces only), the project of feature_store.yaml added when the files declare none (as the
// CLI does), then FeatureStore.plan gives the registry and infrastructure changes. Unchanged
// objects are left out; each property change is given before and after, without the `meta` block
// (creation and update times), which differs on every plan.
//
// The registry is read through Feast itself (FeatureStore(repo_path).registry, every project it
// holds), so every registry backend Feast supports works; nothing of Feast's files is parsed here.
// Where each object is declared is found by the locator both readers share (feastLocateSource.ts).
import { FEAST_LOCATE_SOURCE } from './feastLocateSource.ts';

export const FEAST_DRIVER_SOURCE = String.raw`
import json
import os
import re
import sys

_out = sys.stdout
sys.stdout = sys.stderr
${FEAST_LOCATE_SOURCE}

def _answer(message):
    _out.write(json.dumps(message, default=str))
    _out.write("\n")
    _out.flush()


def _seconds(delta):
    return None if delta is None else delta.total_seconds()


def _stamp(obj):
    meta = getattr(obj, "last_updated_timestamp", None)
    return meta.isoformat() if meta is not None else None


def _features(fields):
    return [{"name": f.name, "dtype": str(f.dtype), "description": getattr(f, "description", "") or "", "tags": dict(getattr(f, "tags", {}) or {})} for f in fields]


def _source(source):
    if source is None:
        return None
    detail = {}
    for attr in ("path", "table", "query", "database", "schema"):
        try:
            value = getattr(source, attr, None)
        except Exception:
            value = None
        if isinstance(value, str) and value:
            detail[attr] = value
    return {
        "name": source.name,
        "type": type(source).__name__,
        "timestampField": getattr(source, "timestamp_field", "") or "",
        "description": getattr(source, "description", "") or "",
        "tags": dict(source.tags or {}),
        "owner": getattr(source, "owner", "") or "",
        "detail": detail,
    }


def _entity(e):
    return {
        "name": e.name,
        "joinKeys": list(getattr(e, "join_keys", None) or [e.join_key]),
        "valueType": e.value_type.name,
        "description": e.description or "",
        "tags": dict(e.tags or {}),
        "owner": e.owner or "",
        "updated": _stamp(e),
    }


def _feature_view(v):
    batch = getattr(v, "batch_source", None)
    stream = getattr(v, "stream_source", None)
    return {
        "name": v.name,
        "kind": type(v).__name__,
        "features": _features(v.features),
        "entities": list(v.entities or []),
        "entityColumns": _features(getattr(v, "entity_columns", []) or []),
        "ttlSeconds": _seconds(v.ttl),
        "source": batch.name if batch is not None else None,
        "streamSource": stream.name if stream is not None else None,
        "online": bool(v.online),
        "offline": bool(getattr(v, "offline", False)),
        "description": v.description or "",
        "tags": dict(v.tags or {}),
        "owner": v.owner or "",
        "updated": _stamp(v),
    }


def _on_demand(v):
    sources = []
    for projection in (getattr(v, "source_feature_view_projections", None) or {}).values():
        sources.append(projection.name)
    for request in (getattr(v, "source_request_sources", None) or {}).values():
        sources.append(request.name)
    return {
        "name": v.name,
        "features": _features(v.features),
        "sources": sources,
        "mode": str(getattr(v, "mode", "") or ""),
        "description": v.description or "",
        "tags": dict(v.tags or {}),
        "owner": v.owner or "",
        "updated": _stamp(v),
    }


def _service(s):
    return {
        "name": s.name,
        "features": [{"featureView": p.name_to_use(), "features": [f.name for f in p.features]} for p in s.feature_view_projections],
        "description": s.description or "",
        "tags": dict(s.tags or {}),
        "owner": s.owner or "",
        "updated": _stamp(s),
    }


def _listed(call):
    try:
        return call()
    except Exception:
        return []


_META = re.compile(r"(?m)^meta \{\n(?:^  .*\n)*?^\}\n?")


def _without_meta(text):
    return _META.sub("", text).strip()


def _plan(store, config, repo):
    from pathlib import Path
    from feast.repo_operations import parse_repo
    from feast.project import Project

    sys.dont_write_bytecode = True
    if repo not in sys.path:
        sys.path.insert(0, repo)
    contents = parse_repo(Path(repo))
    if len(contents.projects) > 1:
        raise ValueError("the repository declares several projects; Feast supports one per repository")
    if contents.projects and contents.projects[0].name != config.project:
        raise ValueError("the repository declares the project " + contents.projects[0].name + ", but feature_store.yaml names " + config.project)
    if not contents.projects:
        contents.projects.append(Project(name=config.project, description=getattr(config, "project_description", None) or ""))
    registry_diff, infra_diff, _ = store.plan(contents)
    objects = []
    for diff in registry_diff.feast_object_diffs:
        transition = diff.transition_type.name
        if transition == "UNCHANGED" or diff.name == "__dummy":
            continue
        properties = []
        for change in diff.feast_object_property_diffs:
            old, new = _without_meta(str(change.val_existing)), _without_meta(str(change.val_declared))
            if old != new:
                properties.append({"name": change.property_name, "old": old, "new": new})
        if transition == "UPDATE" and not properties:
            continue
        objects.append({"type": diff.feast_object_type.name, "name": diff.name, "transition": transition, "properties": properties})
    infra = []
    for diff in infra_diff.infra_object_diffs:
        transition = diff.transition_type.name
        if transition != "UNCHANGED":
            infra.append({"type": str(diff.infra_object_type), "name": diff.name, "transition": transition})
    return {"objects": objects, "infra": infra}


def main():
    repo = os.path.abspath(sys.argv[1])
    mode = sys.argv[2] if len(sys.argv) > 2 else "registry"
    try:
        import feast
        from feast import FeatureStore
    except ImportError as error:
        _answer({"ok": False, "kind": "missing", "error": str(error)})
        return
    try:
        store = FeatureStore(repo_path=repo)
        registry = store.registry
        config = store.config
        if mode == "plan":
            os.chdir(repo)
            planned = _plan(store, config, repo)
            _answer({"ok": True, "feastVersion": feast.__version__, "project": config.project, **planned})
            return
        names = []
        for project in _listed(lambda: registry.list_projects(allow_cache=False)):
            if project.name not in names:
                names.append(project.name)
        if config.project not in names:
            names.insert(0, config.project)
        projects = []
        for name in names:
            projects.append({
                "name": name,
                "entities": [_entity(e) for e in registry.list_entities(name, allow_cache=False) if e.name != "__dummy"],
                "dataSources": [_source(s) for s in registry.list_data_sources(name, allow_cache=False)],
                "featureViews": [_feature_view(v) for v in registry.list_all_feature_views(name, allow_cache=False) if type(v).__name__ != "OnDemandFeatureView"],
                "onDemandFeatureViews": [_on_demand(v) for v in registry.list_on_demand_feature_views(name, allow_cache=False)],
                "featureServices": [_service(s) for s in registry.list_feature_services(name, allow_cache=False)],
            })
        registry_config = config.registry
        registry_path = registry_config if isinstance(registry_config, str) else getattr(registry_config, "path", None)
        registry_type = "file" if isinstance(registry_config, str) else (getattr(registry_config, "registry_type", None) or "file")
    except Exception as error:
        _answer({"ok": False, "kind": "repo", "error": type(error).__name__ + ": " + str(error)})
        return
    _answer({
        "ok": True,
        "feastVersion": feast.__version__,
        "project": config.project,
        "provider": str(config.provider),
        "registry": {"type": str(registry_type), "path": str(registry_path) if registry_path else None},
        "projects": projects,
        "locations": _locate(repo),
    })


main()
`;
