"""Grading: answer sheets in, verdicts per quantity, reports out."""
