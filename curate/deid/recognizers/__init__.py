"""Curate's own Presidio recognizers, one module per kind of detector.

Language name recognizers (`german`, `chinese`, `arabic`, `hebrew`) are Presidio
`EntityRecognizer`s listed in `recognizers.yaml` with `type: curate` and a `class:`
(module:Class) and optional `params:` (keyword arguments). The engine routes each
sentence or paragraph to the recognizers of its own language, so a recognizer only ever
reads text in its language (a German noun never reaches the English model).

A result may say the machine is unsure of it: `recognition_metadata["unsure"]` holds a
short reason ("name list, no context"). The policy decides what an unsure detection does
(replaced and queued for the curator's review by default), see `curate deid review`.
"""
