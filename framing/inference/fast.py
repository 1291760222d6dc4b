"""The `--fast` scoring path: the model in ONNX Runtime with int8 matrix multiplications.

Recipe (`RECIPE`; its numbers are in the README's Speed section, from `scripts/bench_score.py`):
- Every Linear layer of the encoder is quantized dynamically by ONNX Runtime: int8 weights with
  one scale per output channel, activations quantized to int8 on the fly, one scale per tensor.
  The pooler and the classification head stay fp32.
- Plain int8 changed 3.5% of the default model's labels on FA-KES. The cause is outlier
  features: a few input channels of some layers carry values ~10x the rest (the systematic
  outliers described for transformers by Dettmers et al. 2022, "LLM.int8()"), so a per-tensor
  activation scale spends most of the int8 range on them. We split each layer's outlier channels
  (calibration max above `OUTLIER_RATIO` x the layer's median channel max) into a small fp32
  matrix multiplication and run the rest in int8, which brought agreement with fp32 to ~99%.
- Outlier channels are found on the sentences of the example articles shipped with framing
  (written for this project), so the fast model depends on the model folder alone, never on the
  input being scored, and a resumed run uses exactly the same model.
"""

from __future__ import annotations

import contextlib
import copy
import json
import logging
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
from torch import nn

from framing import resources
from framing.errors import FramingError
from framing.inference.predict import Classifier

OUTLIER_RATIO = 3.0
RECIPE = f"onnxruntime-int8-dynamic-per-channel+fp32-outliers>{OUTLIER_RATIO:g}x-median/v1"
CALIBRATION_FILE = resources.EXAMPLES


class OutlierSplitLinear(nn.Module):
    """`linear(x)` computed as int8-friendly `main(x * keep)` + fp32 `outlier(x[..., idx])`.

    `main` is the original layer with the outlier input columns zeroed (it is quantized later);
    `outlier` holds just those columns. Equal to the original layer in exact arithmetic.
    """

    def __init__(self, linear: nn.Linear, keep: torch.Tensor, idx: torch.Tensor) -> None:
        super().__init__()
        self.keep, self.idx = keep, idx  # shared between layers that read the same input
        self.main = copy.deepcopy(linear)
        self.outlier = nn.Linear(len(idx), linear.out_features, bias=False)
        with torch.no_grad():
            self.main.weight[:, idx] = 0
            self.outlier.weight.copy_(linear.weight[:, idx])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.main(x * self.keep) + self.outlier(x.index_select(-1, self.idx))


def calibration_sentences(path: Path = CALIBRATION_FILE) -> list[str]:
    """Titles and sentences of the bundled example articles."""
    from framing.text.segment import article_sentences

    out: list[str] = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            out += [s.text for _, s in article_sentences(record.get("title"), record["text"])]
    return out


def channel_maxima(classifier: Classifier, texts: Sequence[str]) -> dict[str, torch.Tensor]:
    """Per encoder Linear layer (by module name): max |input| of each input channel on `texts`."""
    maxima: dict[str, torch.Tensor] = {}

    def record(name: str):
        def hook(_module: nn.Module, inputs: tuple[torch.Tensor, ...], _output: object) -> None:
            x = inputs[0].detach().abs().reshape(-1, inputs[0].shape[-1]).amax(0)
            maxima[name] = torch.maximum(maxima[name], x) if name in maxima else x

        return hook

    hooks = [module.register_forward_hook(record(name))
             for name, module in _encoder_linears(classifier.model)]
    try:
        classifier.predict_logits(texts)
    finally:
        for handle in hooks:
            handle.remove()
    return maxima


def split_outliers(model: nn.Module, maxima: dict[str, torch.Tensor],
                   ratio: float = OUTLIER_RATIO) -> int:
    """Replace, in place, each encoder Linear that has outlier channels; return how many channels.

    Layers that read the same input (query, key, value) get the same channels and share one
    mask, so ONNX Runtime computes the masked input once.
    """
    shared: dict[tuple[int, ...], tuple[torch.Tensor, torch.Tensor]] = {}
    count = 0
    for name, linear in _encoder_linears(model):
        peak = maxima[name]
        idx = torch.nonzero(peak > ratio * peak.median()).flatten()
        if len(idx) == 0:
            continue
        key = tuple(idx.tolist())
        if key not in shared:
            keep = torch.ones(linear.in_features)
            keep[idx] = 0
            shared[key] = (keep, idx)
        parent_name, attr = name.rsplit(".", 1)
        setattr(model.get_submodule(parent_name), attr, OutlierSplitLinear(linear, *shared[key]))
        count += len(idx)
    return count


def _encoder_linears(model: nn.Module) -> list[tuple[str, nn.Linear]]:
    return [(name, module) for name, module in model.named_modules()
            if isinstance(module, nn.Linear) and ".encoder." in f".{name}"]


@contextlib.contextmanager
def _quiet_root_logger() -> Iterator[None]:
    """Drop records logged on the root logger (ONNX Runtime's quantizer logs there) during the
    block, without `logging.disable` (process-wide) and without letting `logging.warning` attach
    a handler to an unconfigured root logger."""
    root = logging.getLogger()
    quiet, guard = logging.Filter("framing.never"), logging.NullHandler()
    root.addFilter(quiet)
    root.addHandler(guard)
    try:
        yield
    finally:
        root.removeFilter(quiet)
        root.removeHandler(guard)


class OnnxRunner:
    """Logits for a padded batch, from an ONNX Runtime session (`Classifier.runner`)."""

    def __init__(self, onnx_path: Path, threads: int) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(onnx_path), options,
                                            providers=["CPUExecutionProvider"])

    def __call__(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        feed = {"input_ids": input_ids, "attention_mask": attention_mask}
        return np.asarray(self.session.run(None, feed)[0], dtype=np.float32)


def fast_classifier(
    classifier: Classifier, threads: int | None = None, int8: bool = True
) -> Classifier:
    """`classifier` scoring through the int8 ONNX Runtime model (`RECIPE`); ~10 s to build.

    `int8=False` runs the same exported graph in fp32: equal to torch up to float rounding, a
    check that export and outlier splitting change nothing by themselves.
    """
    try:
        import onnx  # torch.onnx.export needs it too
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as err:
        raise FramingError(
            f"--fast needs onnxruntime and onnx ({err}); install them with "
            "`pip install 'onnxruntime>=1.20' 'onnx>=1.16'` or re-run scripts/setup.sh"
        ) from err
    model = copy.deepcopy(classifier.model)
    split_outliers(model, channel_maxima(classifier, calibration_sentences()))
    model.config.return_dict = False
    with tempfile.TemporaryDirectory(prefix="framing-fast-") as tmp:
        fp32, int8_path = Path(tmp) / "fp32.onnx", Path(tmp) / "int8.onnx"
        example = torch.ones((2, 16), dtype=torch.long)
        axes = {0: "batch", 1: "tokens"}
        with warnings.catch_warnings():  # the exporter's deprecation and tracer notices
            warnings.simplefilter("ignore")
            torch.onnx.export(
                model, (example, example.clone()), str(fp32), dynamo=False, opset_version=17,
                input_names=["input_ids", "attention_mask"], output_names=["logits"],
                dynamic_axes={"input_ids": axes, "attention_mask": axes, "logits": {0: "batch"}},
            )
        nodes = [node.name for node in onnx.load(str(fp32)).graph.node
                 if node.op_type in ("MatMul", "Gemm") and "/encoder/" in node.name
                 and "/outlier/" not in node.name]
        if int8:
            with _quiet_root_logger():  # its pre-processing advice is for static int8
                quantize_dynamic(str(fp32), str(int8_path), per_channel=True,
                                 weight_type=QuantType.QInt8, nodes_to_quantize=nodes,
                                 extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
        runner = OnnxRunner(int8_path if int8 else fp32, threads or torch.get_num_threads())
    return replace(classifier, runner=runner)
