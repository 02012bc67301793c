"""Annotation round-trip with Label Studio: config, server, push, pull, agreement."""
