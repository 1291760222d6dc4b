"""Training: configs + labelled data -> a self-describing model folder, and its evaluation.

Owns the validated config (`config`), the training loop (`train`), held-out metrics and
predictions (`heldout`, `metrics`), the run folder and model card (`run_folder`, `model_card`),
the TF-IDF baseline (`baselines`) and `framing evaluate` (`evaluate`). May import the shared
modules, `data`, `text` and `inference`.
"""
