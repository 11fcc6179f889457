"""`backviz export TARGET`: what a teacher uploads to the system they grade in — one module per
target, each applying backviz's own marking (grading/spec.py) in that system's format."""
