"""SYNTHETIC data: generators whose prose lives in YAML (`data/`), never real text.

Why one package: the demo Reddit dump (`dump`, `careless`), the labelled evaluation
corpus of the de-identification (`corpus`, `templates`) and the simulated annotators
(`annotators`) all fill hand-written template sentences with planted values; they share
one template markup and one planter (`planter`), and their sentences, name and handle
pools are data (`data/*.yaml`, read once by `data.load`), not Python literals.
"""
