"""Renderers: read a trace and turn it into text for people (no formula is derived here)."""
