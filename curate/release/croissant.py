"""`croissant.json`: MLCommons Croissant 1.0 metadata, with its responsible-AI (RAI 1.0)
fields, describing the release folder's Parquet files.

Why this shape (checked with mlcroissant, which reads the records back in the tests):
- a `FileObject` per Parquet file carries its sha256, so a downloaded copy can be
  verified file by file;
- a local `FileSet` per config (`includes` = that config's files, relative to the folder
  holding croissant.json) is what the record sets read. mlcroissant 1.1 cannot read a
  FileSet *contained in* plain (non-archive) FileObjects, so the two are listed side by
  side rather than nested;
- a `RecordSet` per config mirrors `load_dataset(…, config)`: one field per column, a
  struct as `subField`s, a list as `repeated` (Croissant 1.0; 1.1 calls it `isArray`), and
  a `split` field taken from the file path;
- class labels are stored as integers, as in the Parquet files; each class-label column
  gets a small inline RecordSet (`labels-…`) with index, name and taxonomy definition.
The prose comes from `release/dataset.yaml`, the figures from `ReleaseInfo`, as for the
card, so the two cannot disagree.
"""

from __future__ import annotations

import glob
import json
import re
from pathlib import Path
from typing import Any

from curate.errors import CurateError
from curate.release.card.metadata import card_metadata
from curate.release.completeness import derived_limitations
from curate.release.facts import NOT_COMPUTED, pretty_name
from curate.release.info import DEFAULT_CONFIG, SPLITS, ReleaseInfo
from curate.release.manifest import sha256_file
from curate.release.row import descriptions
from curate.schema import Taxonomy

CROISSANT_FILE = "croissant.json"
CONFORMS_TO = ["http://mlcommons.org/croissant/1.0", "http://mlcommons.org/croissant/RAI/1.0"]
PARQUET = "application/x-parquet"

# The standard Croissant 1.0 JSON-LD context (as mlcroissant writes it), plus nothing:
# RAI terms use the `rai:` prefix it already defines.
CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}

_INTEGER = re.compile(r"u?int\d+")
_DATA_TYPES = {"string": "sc:Text", "large_string": "sc:Text", "bool": "sc:Boolean"}


def write_croissant(folder: Path, info: ReleaseInfo) -> Path:
    """Write `folder/croissant.json` describing the release's Parquet files (which must
    already be written: their checksums go into the file)."""
    folder = Path(folder)
    path = folder / CROISSANT_FILE
    doc = croissant_metadata(folder, info)
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def croissant_metadata(folder: Path, info: ReleaseInfo) -> dict[str, Any]:
    """The Croissant document as a dict."""
    facts = info.facts
    mode = (facts.get("modes") or {}).get(info.mode) or {}
    features = info.features
    distribution: list[dict[str, Any]] = []
    seen: set[str] = set()
    for config, splits in info.configs.items():
        for split in SPLITS:
            for rel in sorted(splits.get(split, [])):
                if rel not in seen:
                    seen.add(rel)
                    distribution.append(_file_object(folder, rel, config, split))
    record_sets = []
    for config, splits in info.configs.items():
        files = sorted(f for split in SPLITS for f in splits.get(split, []))
        set_id = f"parquet-{_id(config)}"
        distribution.append(
            {
                "@type": "cr:FileSet",
                "@id": set_id,
                "name": set_id,
                "description": f"The Parquet files of configuration {config}.",
                "encodingFormat": PARQUET,
                "includes": [glob.escape(f) for f in files],
            }
        )
        record_sets.append(_record_set(config, splits, set_id, features, info.taxonomy))
    record_sets.extend(_label_record_sets(features, info.taxonomy))

    doc: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "name": info.name,
        "alternateName": pretty_name(info.name, info.facts),
        "description": _plain(f"{facts.get('summary', '')} {mode.get('headline', '')}"),
        "conformsTo": CONFORMS_TO,
        "version": info.version,
        "datePublished": info.created,
        "license": license_url(info.license),
        "citeAs": str((facts.get("citation") or {}).get("bibtex", "")).strip(),
        "keywords": card_metadata(info)["tags"],  # the card's tags (incl. "synthetic")
        "inLanguage": sorted(info.languages),
    }
    if info.org:
        doc["url"] = f"https://huggingface.co/datasets/{info.repo_id}"
    if facts.get("curated_by"):
        doc["creator"] = [{"@type": "sc:Organization", "name": str(facts["curated_by"])}]
    if str(facts.get("homepage") or "").startswith(("https://", "http://")):
        doc["sameAs"] = [str(facts["homepage"])]
    doc.update(rai_fields(info))
    doc["distribution"] = distribution
    doc["recordSet"] = record_sets
    return doc


# -- responsible-AI fields -------------------------------------------------------------
def rai_fields(info: ReleaseInfo) -> dict[str, Any]:
    """The RAI vocabulary: prose from release/dataset.yaml, figures from the release."""
    facts = info.facts
    mode = (facts.get("modes") or {}).get(info.mode) or {}
    source = facts.get("source_data") or {}
    annotation = facts.get("annotation") or {}
    uses = facts.get("uses") or {}

    limitations = derived_limitations(info.split_sizes, DEFAULT_CONFIG) + [
        _plain(x) for x in facts.get("limitations") or []
    ]
    ethics = facts.get("ethics") or {}
    per_culture = {
        c: v for c, v in (annotation.get("per_culture") or {}).items() if c in info.configs
    }
    annotators = [
        f"{culture}: {_plain(str(v.get('annotators', '')))}; {_plain(str(v.get('background', '')))}"
        if isinstance(v, dict)
        else f"{culture}: {_plain(str(v))}"
        for culture, v in per_culture.items()
    ]
    validation = info.validation
    if validation is not None and validation.allowed:
        limitations.append(
            "Released with known validation failures, let through by the curator: "
            f"{', '.join(validation.allowed)} (reason: {validation.reason})."
        )
    return {
        "rai:dataCollection": " ".join(
            x
            for x in (
                _plain(source.get("collection", "")),
                f"Ethics review: {_plain(ethics['review'])}" if ethics.get("review") else "",
                f"Consent: {_plain(ethics['consent'])}" if ethics.get("consent") else "",
            )
            if x
        ),
        "rai:dataCollectionTimeframe": [_plain(source.get("collection_period", ""))],
        "rai:dataCollectionType": [str(x) for x in source.get("collection_type") or []],
        "rai:dataPreprocessingProtocol": [
            _plain(facts.get("preprocessing", "")),
            _deid_sentence(info),
            _validation_sentence(info),
        ],
        "rai:dataAnnotationProtocol": [_plain(annotation.get("process", ""))],
        "rai:dataAnnotationPlatform": [str(x) for x in annotation.get("platform") or []],
        "rai:dataAnnotationAnalysis": [_agreement_sentence(info), _audit_sentence(info)],
        "rai:annotatorDemographics": [_plain(x) for x in annotation.get("demographics") or []]
        + annotators,
        "rai:dataBiases": [_plain(x) for x in facts.get("biases") or []],
        "rai:dataLimitations": limitations,
        "rai:personalSensitiveInformation": [
            _plain(mode.get("personal_information", "")),
            f"Release mode: {info.mode}. " + _plain(mode.get("headline", "")),
        ],
        "rai:dataUseCases": [_plain(x) for x in uses.get("direct") or []]
        + [f"Out of scope: {_plain(x)}" for x in uses.get("out_of_scope") or []],
        "rai:dataSocialImpact": _plain(facts.get("social_impact", "")),
        "rai:dataReleaseMaintenancePlan": " ".join(
            _plain(facts.get(k, "")) for k in ("maintainers", "maintenance", "removal_requests")
        ).strip(),
    }


def _deid_sentence(info: ReleaseInfo) -> str:
    deid = info.deid
    if deid is None:
        return f"De-identification details: {NOT_COMPUTED}."
    text = (
        "De-identification with Presidio (NER, pattern and gazetteer recognizers), "
        "identifiers replaced by consistent per-record pseudonyms; policy "
        f"{deid.policy} (fingerprint {deid.fingerprint})."
    )
    overall = deid.eval.overall if deid.eval is not None else None
    if overall is not None:
        text += (
            f" Measured on a labelled synthetic corpus: precision {overall.precision},"
            f" recall {overall.recall}, F2 {overall.f2}."
        )
    else:
        text += f" Measured de-identification quality: {NOT_COMPUTED}."
    return text


def _validation_sentence(info: ReleaseInfo) -> str:
    v = info.validation
    if v is None:
        return f"Validation gate result: {NOT_COMPUTED}."
    text = f"Validation gate: {v.evaluated} expectations evaluated, {len(v.failures)} failed"
    if v.allowed:
        text += f"; let through: {', '.join(v.allowed)} (reason: {v.reason})"
    return text + "."


def _agreement_sentence(info: ReleaseInfo) -> str:
    agreement = info.agreement
    overall = agreement.cultures.get(DEFAULT_CONFIG) if agreement is not None else None
    if overall is None:
        return f"Inter-annotator agreement: {NOT_COMPUTED}."
    parts = []
    for name, family in info.taxonomy.families.items():
        fig = overall.families.get(name)
        f1 = fig.f1_overlap if fig else None
        alpha = fig.alpha if fig and fig.alpha_of == family.attribute else None
        parts.append(
            f"{family.title}: span F1 (overlap) {f1}, "
            f"Krippendorff's alpha ({family.attribute}) {alpha}"
        )
    empathy = overall.empathy.alpha if overall.empathy else None
    parts.append(f"empathy: Krippendorff's alpha {empathy}")
    return (
        f"Inter-annotator agreement over {overall.items} multiply annotated items: "
        + "; ".join(parts)
        + "."
    )


def _audit_sentence(info: ReleaseInfo) -> str:
    families = info.audit.families if info.audit is not None else {}
    if not families:
        return f"Label-noise audit (cleanlab): {NOT_COMPUTED}."
    parts = [
        f"{name}: {fig.flags} of {fig.examples} flagged"
        if "flags" in fig.details
        else f"{name}: skipped ({fig.skipped})"
        for name, fig in families.items()
    ]
    return "Label-noise audit (cleanlab): " + "; ".join(parts) + "."


# -- files and record sets -------------------------------------------------------------
def _file_object(folder: Path, rel: str, config: str, split: str) -> dict[str, Any]:
    path = folder / rel
    if not path.is_file():
        raise CurateError(f"croissant: data file {rel} of config {config} is missing")
    return {
        "@type": "cr:FileObject",
        "@id": rel,
        "name": rel,
        "description": f"Configuration {config}, split {split}.",
        "contentUrl": rel,
        "contentSize": f"{path.stat().st_size} B",
        "encodingFormat": PARQUET,
        "sha256": sha256_file(path),
    }


def _id(name: str) -> str:
    """A JSON-LD-safe id for a config name (extra cultures may contain spaces)."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)


def split_regex(splits: dict[str, list[str]]) -> str | None:
    """A regex whose first group is the split of a file path, checked on every file of
    the config; None when the paths do not name their split."""
    names = [s for s in SPLITS if s in splits] + sorted(s for s in splits if s not in SPLITS)
    if not names:
        return None
    regex = rf"^(?:.*/)?({'|'.join(re.escape(s) for s in names)})(?:[-_./].*)?$"
    pattern = re.compile(regex)
    for split, files in splits.items():
        for rel in files:
            match = pattern.match(rel)
            if match is None or match.group(1) != split:
                return None
    return regex


def _record_set(
    config: str, splits: dict[str, list[str]], set_id: str, features: Any, taxonomy: Taxonomy
) -> dict[str, Any]:
    rs = _id(config)
    fields: list[dict[str, Any]] = []
    notes: list[str] = []
    regex = split_regex(splits)
    split_name = "split" if "split" not in features else "_split"
    if regex:
        fields.append(
            {
                "@type": "cr:Field",
                "@id": f"{rs}/{split_name}",
                "name": split_name,
                "description": "The split of the item (from the path of its Parquet file).",
                "dataType": "sc:Text",
                "source": {
                    "fileSet": {"@id": set_id},
                    "extract": {"fileProperty": "fullpath"},
                    "transform": {"regex": regex},
                },
            }
        )
    else:
        notes.append("the split is not a field here (file paths do not name it)")
    docs = descriptions(taxonomy)
    for name, feature in features.items():
        field = _field(rs, set_id, [name], feature, [], docs)
        if field is None:
            notes.append(f"column {name} ({type(feature).__name__}) is not described")
        else:
            fields.append(field)
    description = (
        f"Configuration {config}: the rows of load_dataset(<repo>, {config!r}), all splits."
    )
    if config == DEFAULT_CONFIG:
        description += " Every culture."
    if notes:
        description += " Simplifications: " + "; ".join(notes) + "."
    record_set: dict[str, Any] = {
        "@type": "cr:RecordSet",
        "@id": rs,
        "name": config,
        "description": description,
        "field": fields,
    }
    if "id" in features:
        record_set["key"] = {"@id": f"{rs}/id"}
    return record_set


def _data_type(feature: Any) -> str | None:
    from datasets import ClassLabel, Value

    if isinstance(feature, ClassLabel):
        return "sc:Integer"
    if isinstance(feature, Value):
        dtype = feature.dtype
        if dtype in _DATA_TYPES:
            return _DATA_TYPES[dtype]
        if _INTEGER.fullmatch(dtype):
            return "sc:Integer"
        if dtype.startswith("float"):
            return "sc:Float"
        if dtype.startswith(("date", "timestamp")):
            return "sc:Date"
    return None


def _field(
    rs: str,
    set_id: str,
    path: list[str],
    feature: Any,
    json_path: list[str],
    docs: dict[str, str],
) -> dict[str, Any] | None:
    """A Croissant field for a `datasets` feature at `path` (column, then struct members),
    described by the release row's declared `docs`; None when Croissant 1.0, as
    mlcroissant reads it, cannot express it (e.g. a list of lists)."""
    from datasets import ClassLabel, LargeList, List

    column = path[0]
    if isinstance(feature, (List, LargeList)):
        inner = feature.feature
        if isinstance(inner, (List, LargeList)):
            return None
        element = _field(rs, set_id, path, inner, json_path, docs)
        if element is not None:
            element["repeated"] = True
        return element
    description = docs.get(".".join(path), "")
    field: dict[str, Any] = {
        "@type": "cr:Field",
        "@id": "/".join([rs, *path]),
        "name": path[-1],
        "description": description or "(no description)",
    }
    if isinstance(feature, dict):
        subs = [
            _field(rs, set_id, [*path, sub], sub_feature, [*json_path, sub], docs)
            for sub, sub_feature in feature.items()
        ]
        field["subField"] = [f for f in subs if f is not None]
        return field
    data_type = _data_type(feature)
    if data_type is None:
        return None
    source: dict[str, Any] = {"fileSet": {"@id": set_id}, "extract": {"column": column}}
    if json_path:
        transforms = [{"jsonPath": p} for p in json_path]
        source["transform"] = transforms[0] if len(transforms) == 1 else transforms
    field["dataType"] = data_type
    field["source"] = source
    if isinstance(feature, ClassLabel):
        field["description"] += (
            " Stored as the class index; names and definitions in RecordSet "
            f"labels-{'-'.join(path)}."
        )
    return field


def _label_record_sets(features: Any, taxonomy: Taxonomy) -> list[dict[str, Any]]:
    """One inline RecordSet per class-label column: index, name, definition."""
    out = []
    for path, feature in _class_labels(features):
        rs = "labels-" + "-".join(path)
        definitions = _definitions(path, feature, taxonomy)
        out.append(
            {
                "@type": "cr:RecordSet",
                "@id": rs,
                "name": rs,
                "description": f"The classes of {'.'.join(path)}: stored index, name, definition.",
                "key": {"@id": f"{rs}/index"},
                "field": [
                    {
                        "@type": "cr:Field",
                        "@id": f"{rs}/index",
                        "name": "index",
                        "dataType": "sc:Integer",
                    },
                    {
                        "@type": "cr:Field",
                        "@id": f"{rs}/name",
                        "name": "name",
                        "dataType": "sc:Text",
                    },
                    {
                        "@type": "cr:Field",
                        "@id": f"{rs}/definition",
                        "name": "definition",
                        "dataType": "sc:Text",
                    },
                ],
                "data": [
                    {
                        f"{rs}/index": i,
                        f"{rs}/name": name,
                        f"{rs}/definition": definitions.get(name, ""),
                    }
                    for i, name in enumerate(feature.names)
                ],
            }
        )
    return out


def _class_labels(features: Any, prefix: tuple[str, ...] = ()) -> list[tuple[list[str], Any]]:
    from datasets import ClassLabel, LargeList, List

    found = []
    for name, feature in features.items():
        while isinstance(feature, (List, LargeList)):
            feature = feature.feature
        if isinstance(feature, ClassLabel):
            found.append(([*prefix, name], feature))
        elif isinstance(feature, dict):
            found.extend(_class_labels(feature, (*prefix, name)))
    return found


def _definitions(path: list[str], feature: Any, taxonomy: Taxonomy) -> dict[str, str]:
    names = tuple(feature.names)
    for family in taxonomy.families.values():
        if names == family.values:
            return dict(family.definitions)
    if set(names) <= set(taxonomy.cultures):
        return {c["name"]: str(c.get("description", "")) for c in taxonomy.raw["cultures"]}
    if list(names) == list(taxonomy.empathy.values()):
        return {label: f"Empathy score {value} of 5." for value, label in taxonomy.empathy.items()}
    return {}


# -- helpers ---------------------------------------------------------------------------
def _plain(text: Any) -> str:
    """Card prose without markdown emphasis or code marks, on one line."""
    return re.sub(r"\*\*|`", "", " ".join(str(text).split()))


def license_url(license_id: str) -> str:
    """A licence URL for a Hub licence id (Croissant recommends a URL); the id itself when
    it is not one of the common ones."""
    lid = license_id.lower()
    if m := re.fullmatch(r"cc-(by(?:-nc)?(?:-sa|-nd)?)-(\d\.\d)", lid):
        return f"https://creativecommons.org/licenses/{m.group(1)}/{m.group(2)}/"
    if lid == "cc0-1.0":
        return "https://creativecommons.org/publicdomain/zero/1.0/"
    if lid == "apache-2.0":
        return "https://www.apache.org/licenses/LICENSE-2.0"
    if lid == "mit":
        return "https://opensource.org/licenses/MIT"
    return license_id
