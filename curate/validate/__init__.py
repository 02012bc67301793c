"""Release gate: Great Expectations suites over the workspace's records and spans.

Value sets are generated from the taxonomy (so a new culture or label never needs a code
change); data rules are hand-written JSON in `validations/`.
"""
