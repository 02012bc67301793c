"""Releases: versioned splits, Hub-layout folders, dataset card, Croissant, publishing."""
