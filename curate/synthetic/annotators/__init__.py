"""SYNTHETIC annotators for the bundled demo corpus (`curate demo annotate`).

Simulated annotators submit real annotations through the real Label Studio API, so that
`curate annotate pull`, `agreement`, the label-noise audit and the export have work to
show on the demo. Nothing here is human work: the annotators are `sim-annotator-N`
users, their labels are derived from what the demo generator (`curate.synthetic.dump`) planted
(`lexicon`) plus seeded, per-annotator noise (`simulate`); for demos, tests and
benchmarks only, never for a real dataset.
"""
