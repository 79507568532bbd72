"""``generators:`` and ``transformers:`` entries that configure Kustomize's built-in plugins.

An entry is inline YAML, a file or a kustomization directory; each object it holds
with ``apiVersion: builtin`` names a built-in plugin by kind and configures it as
Kustomize does (fields in any case, unknown fields ignored, no default field specs).
As in Kustomize, the inline entries run first, then the files and directories, each
in the order listed, and two configurations of the same kind and name are an error.
Any other plugin (exec, Go, KRM function) is refused, and so is Helm inflation.
"""

from __future__ import annotations

from typing import Any

from gitshift.errors import RenderError
from gitshift.render.builtin import (
    buildmeta,
    generators,
    images,
    labels,
    limits,
    names,
    patches,
    replacements,
    schema,
    tconfig,
    valueadd,
)
from gitshift.render.builtin.fieldspec import FieldSpec, from_config
from gitshift.render.builtin.host import Host
from gitshift.render.builtin.kustomization import Kustomization
from gitshift.render.builtin.resource import ResMap, Resource
from gitshift.render.builtin.yamlio import parse_documents, read_bytes

S, B = schema.S, schema.B
_FS = schema.L(schema.FIELD_SPEC)
_META = schema.Struct("ObjectMeta", {"name": S, "namespace": S})
_TARGET = schema.Struct("Target", {"selector": schema.SELECTOR, "fieldPath": S, "filePathPosition": schema.INT})
_TARGETS = schema.Struct("Targets", {"targets": schema.L(_TARGET)})
CONFIGS: dict[str, schema.Struct] = {
    "LabelTransformer": schema.Struct("LabelTransformerPlugin", {"labels": schema.M(S), "fieldSpecs": _FS}),
    "AnnotationsTransformer": schema.Struct(
        "AnnotationsTransformerPlugin", {"annotations": schema.M(S), "fieldSpecs": _FS}
    ),
    "PrefixSuffixTransformer": schema.Struct(
        "PrefixSuffixTransformerPlugin", {"prefix": S, "suffix": S, "fieldSpecs": _FS}
    ),
    "PrefixTransformer": schema.Struct("PrefixTransformerPlugin", {"prefix": S, "fieldSpecs": _FS}),
    "SuffixTransformer": schema.Struct("SuffixTransformerPlugin", {"suffix": S, "fieldSpecs": _FS}),
    "ImageTagTransformer": schema.Struct("ImageTagTransformerPlugin", {"imageTag": schema.IMAGE, "fieldSpecs": _FS}),
    "PatchTransformer": schema.PATCH,
    "ReplicaCountTransformer": schema.Struct(
        "ReplicaCountTransformerPlugin", {"replica": schema.REPLICA, "fieldSpecs": _FS}
    ),
    "NamespaceTransformer": schema.Struct(
        "NamespaceTransformerPlugin",
        {"metadata": _META, "fieldSpecs": _FS, "unsetOnly": B, "setRoleBindingSubjects": S},
    ),
    "ReplacementTransformer": schema.Struct(
        "ReplacementTransformerPlugin", {"replacements": schema.L(schema.REPLACEMENT)}
    ),
    "PatchStrategicMergeTransformer": schema.Struct(
        "PatchStrategicMergeTransformerPlugin", {"paths": schema.L(S), "patches": S}
    ),
    "PatchJson6902Transformer": schema.Struct(
        "PatchJson6902TransformerPlugin", {"target": schema.SELECTOR, "path": S, "jsonOp": S}
    ),
    "HashTransformer": schema.Struct("HashTransformerPlugin", {}),  # it reads no configuration
    "ValueAddTransformer": schema.Struct(
        "ValueAddTransformerPlugin", {"value": S, "targets": schema.L(_TARGET), "targetFilePath": S}
    ),
    "ConfigMapGenerator": schema.Struct("ConfigMapGeneratorPlugin", {"metadata": _META, **schema.GENERATOR_FIELDS}),
    "SecretGenerator": schema.Struct(
        "SecretGeneratorPlugin", {"metadata": _META, **schema.GENERATOR_FIELDS, "type": S}
    ),
    "IAMPolicyGenerator": schema.Struct(
        "IAMPolicyGeneratorPlugin",
        {
            "cloud": S,
            "kubernetesService": schema.Struct("KubernetesService", {"name": S, "namespace": S}),
            "serviceAccount": schema.Struct("ServiceAccount", {"name": S, "projectId": S}),
        },
    ),
}
GENERATOR_KINDS = ("ConfigMapGenerator", "SecretGenerator", "IAMPolicyGenerator")


def _objects(host: Host, kust: Kustomization, field: str) -> list[Resource]:
    """The plugin configurations a ``generators``/``transformers`` field lists: inline ones, then
    those of files and directories (as Kustomize gathers them), each carrying where it was read."""
    inline, found = ResMap(), ResMap()
    for entry in kust.list(field):
        text = str(entry)
        docs: list[Any] | None = None
        if "\n" in text or ":" in text.split("/")[0]:
            try:
                docs = parse_documents(text, str(kust.file))
            except RenderError:
                docs = None
            if docs is not None and not all(isinstance(d, dict) for d in docs):
                docs = None
        if docs is not None:
            for doc in docs:
                inline.append(Resource(doc, str(kust.file)))
            continue
        path = host.entry_path(kust, text, field)
        if host.view.is_dir(path):
            _, sub, _ = host.target(path, ResMap(), False, tconfig.EMPTY)
            found.extend(sub)
            continue
        kust.local(text)
        for doc in host.cache.documents(host.view, path):
            if isinstance(doc, dict):
                found.append(Resource(doc, str(path)))
    inline.extend(found)
    return inline.items


def _config(kust: Kustomization, obj: dict[str, Any], where: str, field: str) -> tuple[str, dict[str, Any]]:
    api, kind = obj.get("apiVersion"), str(obj.get("kind") or "")
    if api != "builtin":
        raise kust.plugin(f"the plugin {api}/{kind} in `{field}`")
    shape = CONFIGS.get(kind)
    if shape is None:
        raise kust.unsupported(f"the built-in plugin {kind} in `{field}`")
    try:
        data = schema.decode(obj, shape, strict=False)
    except schema.DecodeError as exc:
        raise RenderError(f"plugin {kind} fails configuration: {exc}", where) from exc
    assert isinstance(data, dict)
    return kind, data


def run_generators(host: Host, kust: Kustomization, resmap: ResMap) -> None:
    """Each built-in generator the ``generators`` field configures, in order."""
    for config in _objects(host, kust, "generators"):
        where = config.origin
        kind, data = _config(kust, config.obj, where, "generators")
        if kind not in GENERATOR_KINDS:
            raise RenderError(f"plugin {kind} not a generator", where)
        origin = _origin(host, config, kind)
        if kind == "IAMPolicyGenerator":
            res = _iam_policy(data, where)
        else:
            meta = data.pop("metadata", {})
            data.setdefault("name", meta.get("name"))
            if meta.get("namespace") and not data.get("namespace"):
                data["namespace"] = meta["namespace"]
            res = generators.generate(
                kust, host.view, data, "ConfigMap" if kind == "ConfigMapGenerator" else "Secret", False
            )
        if origin is not None:
            host.annotate_origin(res, origin)
        generators.absorb(resmap, res, where)


def _iam_policy(data: dict[str, Any], where: str) -> Resource:
    """The GKE ServiceAccount an IAMPolicyGenerator makes (its text made and read as Kustomize does)."""
    cloud = data.get("cloud") or ""
    if cloud != "gke":
        raise RenderError(f"cloud provider {cloud} not supported yet", where)
    service = data.get("kubernetesService") or {}
    account = data.get("serviceAccount") or {}
    text = (
        "\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  annotations:\n"
        f"    iam.gke.io/gcp-service-account: {account.get('name', '')}@{account.get('projectId', '')}"
        f".iam.gserviceaccount.com\n  name: {service.get('name', '')}\n"
    )
    if service.get("namespace"):
        text += f"\n  namespace: {service['namespace']}"
    docs = parse_documents(text, where)
    if len(docs) != 1 or not isinstance(docs[0], dict) or not isinstance(docs[0].get("metadata"), dict):
        raise RenderError("IAMPolicyGenerator made something other than one object", where)
    if docs[0]["metadata"].get("name") in (None, ""):
        raise RenderError("missing metadata.name in object ServiceAccount (IAMPolicyGenerator)", where)
    limits.charge(limits.weigh(docs[0])[0], where, objects=1)
    return Resource(docs[0], where)


def _origin(host: Host, config: Resource, kind: str) -> str | None:
    """The origin kustomize gives what a configured plugin made or changed, when noting build metadata."""
    if host.origin_root is None:
        return None
    meta = config.obj.get("metadata")
    meta = meta if isinstance(meta, dict) else {}
    name, namespace = (str(meta.get(k) or "") for k in ("name", "namespace"))
    return buildmeta.of_plugin(config.origin, host.origin_root, kind, name, namespace)


def _fspecs(data: dict[str, Any], where: str) -> tuple[FieldSpec, ...]:
    return from_config(data.get("fieldSpecs"), where)


def run_transformers(host: Host, kust: Kustomization, resmap: ResMap) -> None:
    """Each built-in transformer the ``transformers`` field configures, in order."""
    for config in _objects(host, kust, "transformers"):
        where = config.origin
        kind, data = _config(kust, config.obj, where, "transformers")
        if kind in GENERATOR_KINDS:
            raise RenderError(f"plugin {kind} not a transformer", where)
        _transform(host, kust, kind, data, where, resmap)
        origin = _origin(host, config, kind)
        if origin is not None:
            buildmeta.add_transformation(resmap, origin)


def _transform(
    host: Host, kust: Kustomization, kind: str, data: dict[str, Any], where: str, resmap: ResMap
) -> None:
    if kind in ("LabelTransformer", "AnnotationsTransformer"):
        pairs = data.get("labels" if kind == "LabelTransformer" else "annotations") or {}
        if pairs:
            labels.set_pairs(resmap, pairs, _fspecs(data, where))
    elif kind in ("PrefixSuffixTransformer", "PrefixTransformer", "SuffixTransformer"):
        if data.get("fieldSpecs") is None:
            raise RenderError(f"plugin {kind} fails configuration: fieldSpecs is not expected to be nil", where)
        if kind != "SuffixTransformer":
            names.add_prefix(resmap, data.get("prefix", ""), _fspecs(data, where))
        if kind != "PrefixTransformer":
            names.add_suffix(resmap, data.get("suffix", ""), _fspecs(data, where))
    elif kind == "ImageTagTransformer":
        images.set_image(resmap, data.get("imageTag") or {}, _fspecs(data, where), where)
    elif kind == "PatchTransformer":
        patches.apply_entry(kust, host.view, resmap, data)
    elif kind == "PatchStrategicMergeTransformer":
        patches.strategic_merge(kust, host.view, resmap, data.get("paths") or [], data.get("patches") or "", where)
    elif kind == "PatchJson6902Transformer":
        patches.json6902_entry(kust, host.view, resmap, data.get("target"), data.get("path"), data.get("jsonOp"))
    elif kind == "HashTransformer":
        names.add_hashes(resmap)
    elif kind == "ValueAddTransformer":
        _value_add(host, kust, data, where, resmap)
    elif kind == "ReplicaCountTransformer":
        images.set_replica(resmap, data.get("replica") or {}, _fspecs(data, where), where)
    elif kind == "NamespaceTransformer":
        mode = data.get("setRoleBindingSubjects") or "defaultOnly"
        if mode not in names.SUBJECT_MODES:
            raise RenderError(
                f'invalid value "{mode}" for setRoleBindingSubjects: must be one of '
                '"defaultOnly", "none" or "allServiceAccounts"',
                where,
            )
        names.set_namespace(
            resmap,
            (data.get("metadata") or {}).get("namespace", ""),
            _fspecs(data, where),
            bool(data.get("unsetOnly")),
            mode,
            where,
        )
    elif kind == "ReplacementTransformer":
        entries = [(r, where) for r in data.get("replacements") or []]
        replacements.run_config(resmap, entries, kust, host.view, host.cache)


def _value_add(host: Host, kust: Kustomization, data: dict[str, Any], where: str, resmap: ResMap) -> None:
    """A ValueAddTransformer: its value (by default the kustomization's folder name) at each target."""
    value = (data.get("value") or "").strip() or kust.root.name or str(kust.root)
    targets = list(data.get("targets") or [])
    if data.get("targetFilePath"):
        path = kust.local(str(data["targetFilePath"]))
        docs = schema.parse11(read_bytes(host.view, path), str(path))
        try:
            more = schema.decode(docs[0] if docs else {}, _TARGETS, strict=False)
        except schema.DecodeError as exc:
            raise RenderError(f"invalid ValueAddTransformer targets: {exc}", str(path)) from exc
        targets += more.get("targets") or []
    if not targets:
        raise RenderError("must specify at least one target", where)
    for target in targets:
        if not target.get("fieldPath"):
            raise RenderError("fieldPath cannot be empty", where)
        if int(target.get("filePathPosition") or 0) < 0:
            raise RenderError(
                f"value of FilePathPosition ({target['filePathPosition']}) cannot be negative", where
            )
    for target in targets:
        chosen = resmap.items if target.get("selector") is None else patches.select(resmap, target["selector"])
        field_path = str(target["fieldPath"])
        for res in list(chosen):
            if field_path == "metadata/namespace":
                names.namespace_one(res, value, where=where)
                continue
            position = int(target.get("filePathPosition") or 0)
            valueadd.write(res.obj, valueadd.split_field_path(field_path), value, position, where)
