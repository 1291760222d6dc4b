"""Inference: a trained model folder turned into frame probabilities.

Owns loading a model folder (`predict.Classifier`, safetensors only, no remote code), the one
logits path every stage uses (`predict.window_logits`: long sentences in windows, never
truncated), the int8 `--fast` path (`fast`), device choice (`device`) and a scoped thread count
(`threads`). May import only the shared modules and `text`.
"""
