"""Labelling: suggest sentences to label, annotate them in the terminal, merge into labels/."""
