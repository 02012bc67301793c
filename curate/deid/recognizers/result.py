"""The one way curate's name recognizers report a person name to Presidio."""

from __future__ import annotations

from presidio_analyzer import AnalysisExplanation, EntityRecognizer, RecognizerResult


def person_result(
    recognizer: EntityRecognizer,
    start: int,
    end: int,
    score: float,
    how: str,
    unsure: str | None = None,
    *,
    scored_with_context: bool = False,
) -> RecognizerResult:
    """A PERSON result with the recognizer's name and id (the engine reads them back),
    `unsure` (why the machine is unsure, for the curator's review queue) when given, and,
    for recognizers that weigh their own cue words, a mark that keeps Presidio's context
    step from lifting the score again."""
    metadata: dict = {
        RecognizerResult.RECOGNIZER_NAME_KEY: recognizer.name,
        RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: recognizer.id,
    }
    if scored_with_context:
        metadata[RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY] = True
    if unsure:
        metadata["unsure"] = unsure
    explanation = AnalysisExplanation(
        recognizer=recognizer.name, original_score=score, textual_explanation=how
    )
    return RecognizerResult("PERSON", start, end, score, explanation, metadata)
