"""Audits of annotated data: finding likely label errors and weak annotators."""
