"""Detection: a Presidio AnalyzerEngine built from the policy, fully offline.

- spaCy pipelines come from installed packages named in the policy (never downloaded);
  "blank" gives a tokenizer-only pipeline for languages without an installable model.
- Components the recognizers do not use are removed; en_core_web_sm's NER has its own
  tok2vec, so tagger, parser, lemmatizer and the shared tok2vec can go. Presidio's
  context words are then matched against lower-cased tokens instead of lemmas.
- tldextract (Presidio's email/URL validation) is pointed at its bundled suffix list.
"""

from __future__ import annotations

import os
from pathlib import Path

from curate.deid.policy import Policy
from curate.errors import CurateError

_DISABLE_DEFAULT = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter")


def make_tldextract_offline() -> None:
    """Use tldextract's bundled public suffix list; never fetch it."""
    import tldextract
    import tldextract.tldextract as tx

    os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
    tx.TLD_EXTRACTOR = tldextract.TLDExtract(cache_dir=None, suffix_list_urls=())


def _nlp_engine(policy: Policy):
    import spacy
    from presidio_analyzer.nlp_engine import NerModelConfiguration, NlpArtifacts, SpacyNlpEngine

    disable = tuple(policy.data["nlp"].get("disable", ())) + _DISABLE_DEFAULT

    class CurateSpacyNlpEngine(SpacyNlpEngine):
        """SpacyNlpEngine that never downloads and can use blank pipelines."""

        def load(self) -> None:
            self.nlp = {}
            for model in self.models:
                lang, name = model["lang_code"], model["model_name"]
                if name == "blank":
                    nlp = spacy.blank(lang)
                else:
                    if not spacy.util.is_package(name) and not Path(name).exists():
                        raise CurateError(
                            f"spaCy model {name!r} for {lang!r} is not installed "
                            "(run scripts/setup.sh, or set another model in the policy)"
                        )
                    nlp = spacy.load(name)
                    off = [p for p in nlp.pipe_names if p in disable and p != "ner"]
                    for pipe in off:
                        nlp.remove_pipe(pipe)
                self.nlp[lang] = nlp

        def _doc_to_nlp_artifact(self, doc, language: str) -> NlpArtifacts:
            """As Presidio's, with lower-cased words standing in for lemmas (no
            lemmatizer runs), read in one pass over the tokens."""
            lemmas, indices = [], []
            for token in doc:
                lemmas.append(token.lower_)
                indices.append(token.idx)
            entities, scores = self._get_updated_entities(
                self._get_entities(doc), self._get_scores_for_entities(doc)
            )
            return NlpArtifacts(
                entities=entities,
                tokens=doc,
                tokens_indices=indices,
                lemmas=lemmas,
                nlp_engine=self,
                language=language,
                scores=scores,
            )

    models = [{"lang_code": k, "model_name": v} for k, v in policy.data["nlp"]["models"].items()]
    engine = CurateSpacyNlpEngine(models=models, ner_model_configuration=NerModelConfiguration())
    engine.load()
    return engine


def _context_enhancer():
    """Presidio's context enhancer, finding a match's token by bisection instead of a
    walk over every token of the document for every result (same answer)."""
    import bisect

    from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer

    class BisectContextEnhancer(LemmaContextAwareEnhancer):
        @staticmethod
        def _find_index_of_match_token(word, start, tokens, tokens_indices) -> int:
            i = max(bisect.bisect_right(tokens_indices, start) - 1, 0)
            while i < len(tokens_indices):
                if tokens_indices[i] == start or start < tokens_indices[i] + len(tokens[i]):
                    return i
                i += 1
            raise ValueError(f"no token at offset {start}")

    return BisectContextEnhancer()


def culture_terms(config) -> set[str]:
    """Words that name cultural content (the culture map's keywords, the cultures):
    never taken for person names."""
    terms = {c.casefold() for c in config.taxonomy().cultures}
    cmap = config.section("reddit").get("culture_map", {})
    for words in cmap.get("culture_keywords", {}).values():
        terms.update(w.casefold() for w in words)
    return terms


def _configure_phones(registry, settings: dict) -> None:
    """Replace each PhoneRecognizer by ours, with the policy's regions (per language) and
    leniency (the registry YAML passes no parameters to predefined recognizers)."""
    from presidio_analyzer.predefined_recognizers import PhoneRecognizer

    from curate.deid.recognizers.phone import CuratePhoneRecognizer

    regions = settings.get("regions", {})
    for i, rec in enumerate(registry.recognizers):
        if isinstance(rec, PhoneRecognizer):
            lang = rec.supported_language
            registry.recognizers[i] = CuratePhoneRecognizer(
                context=rec.context,
                supported_language=lang,
                supported_regions=tuple(regions.get(lang, regions.get("default", ())))
                or rec.supported_regions,
                leniency=int(settings.get("leniency", rec.leniency)),
            )


def _split_registry(path: Path) -> tuple[dict, list[dict]]:
    """The registry YAML as Presidio's part (pattern and predefined recognizers) and
    curate's own language recognizers (`type: curate`, `class: module:Class`)."""
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    ours = [r for r in data.get("recognizers", []) if r.get("type") == "curate"]
    data["recognizers"] = [r for r in data.get("recognizers", []) if r.get("type") != "curate"]
    return data, ours


def _language_recognizers(
    entries: list[dict], gazetteer: dict, policy: Policy, cache_dir: Path
) -> dict:
    """Instantiate each `type: curate` entry once per language it lists; a class that
    takes `gazetteer` gets that language's names-dataset lists, one that takes
    `cache_dir` the engine's cache (never ~)."""
    import importlib
    import inspect

    out: dict[str, list] = {}
    for entry in entries:
        module, _, name = str(entry.get("class", "")).partition(":")
        try:
            cls = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError, ValueError):
            raise CurateError(
                f"{policy.registry_path}: recognizer class {entry.get('class')!r} not found"
            ) from None
        takes = inspect.signature(cls.__init__).parameters
        for lang in entry.get("supported_languages", []):
            if lang not in policy.languages:
                continue
            params = dict(entry.get("params") or {})
            if "gazetteer" in takes:
                params["gazetteer"] = gazetteer.get(lang, {})
            if "supported_language" in takes:
                params["supported_language"] = lang
            if "cache_dir" in takes:
                params.setdefault("cache_dir", cache_dir)
            out.setdefault(lang, []).append(cls(**params))
    return out


def build_analyzer(policy: Policy, cache_dir: Path, never_names: set[str] | None = None):
    """The AnalyzerEngine for `policy` (pattern recognizers, spaCy NER, the English name
    gazetteer) and each language's own name recognizers, which the engine calls on the
    segments of their language. Slow (model loads): build once per process."""
    make_tldextract_offline()
    import logging

    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.recognizer_registry import RecognizerRegistryProvider

    from curate.deid.data import zh_surnames
    from curate.deid.recognizers.gazetteer import (
        GazetteerSettings,
        NameGazetteerRecognizer,
        load_or_build,
    )

    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    nlp_engine = _nlp_engine(policy)
    presidio_part, ours = _split_registry(policy.registry_path)
    registry = RecognizerRegistryProvider(
        registry_configuration=presidio_part
    ).create_recognizer_registry()
    _configure_phones(registry, policy.data.get("phone", {}))
    gaz = policy.data.get("gazetteer")
    names: dict = {}
    by_language: dict[str, list] = {}
    if gaz:
        never = set(gaz.get("never_names", ())) | (never_names or set())
        names = load_or_build(cache_dir, GazetteerSettings.from_policy(gaz, never))["names"]
        for lang in gaz["languages"]:
            rec = NameGazetteerRecognizer(
                names.get(lang, {}),
                supported_language=lang,
                score=float(gaz.get("score", 0.6)),
                common_score=float(gaz.get("common_score", 0.3)),
                context=gaz.get("context", {}).get(lang),
                cues=gaz.get("cues", {}).get(lang, ()),
                zh_surnames=zh_surnames() if lang == "zh" else (),
            )
            if lang == "zh":
                by_language.setdefault(lang, []).append(rec)  # reads the unmasked text
            else:
                registry.add_recognizer(rec)
    for lang, recs in _language_recognizers(ours, names, policy, cache_dir).items():
        by_language.setdefault(lang, []).extend(recs)
    analyzer = AnalyzerEngine(
        nlp_engine=nlp_engine,
        registry=registry,
        context_aware_enhancer=_context_enhancer(),
        supported_languages=list(policy.languages),
        default_score_threshold=0.0,
    )
    return analyzer, by_language
