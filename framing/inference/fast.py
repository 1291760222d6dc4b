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
- The int8 model is built once and cached in the model folder (`fast-int8.onnx`, stamped with
  the recipe, the weights' and the calibration text's hashes); a stale cache is rebuilt.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
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
from framing.provenance import file_sha256

OUTLIER_RATIO = 3.0
RECIPE = f"onnxruntime-int8-dynamic-per-channel+fp32-outliers>{OUTLIER_RATIO:g}x-median/v1"
CALIBRATION_FILE = resources.EXAMPLES
CACHE_FILE = "fast-int8.onnx"  # in the model folder
CACHE_KEY_FIELD = "framing_fast_key"
log = logging.getLogger(__name__)


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


def _quantizer():  # type: ignore[no-untyped-def]
    """onnx and ONNX Runtime's quantizer, or a FramingError with the install command."""
    try:
        import onnx  # torch.onnx.export needs it too
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as err:
        raise FramingError(
            f"--fast needs onnxruntime and onnx ({err}); install them with "
            "`pip install 'framing[fast]'` (or `pip install 'onnxruntime>=1.20' 'onnx>=1.16'`), "
            "or re-run scripts/setup.sh"
        ) from err
    return onnx, QuantType, quantize_dynamic


def weights_sha256(model: nn.Module) -> str:
    """sha256 over the model's parameters and buffers as they are in memory (name, dtype, shape,
    bytes): the weights the int8 model is built from, even if they differ from the file."""
    digest = hashlib.sha256()
    for name, tensor in model.state_dict().items():
        data = tensor.detach().cpu().contiguous().reshape(-1)
        digest.update(f"{name}\0{data.dtype}\0{tuple(data.shape)}\0".encode())
        digest.update(data.view(torch.uint8).numpy().tobytes() if data.numel() else b"")
    return digest.hexdigest()


def cache_key(classifier: Classifier) -> str:
    """What the cached int8 model depends on: the recipe, the weights and the calibration text."""
    digest = hashlib.sha256()
    for part in (RECIPE, weights_sha256(classifier.model), file_sha256(CALIBRATION_FILE)):
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()


def _export(classifier: Classifier, folder: Path, int8: bool, key: str) -> Path:
    """The outlier-split model exported to ONNX in `folder` (int8: quantized, `key` stamped)."""
    onnx, quant_type, quantize_dynamic = _quantizer()
    model = copy.deepcopy(classifier.model)
    split_outliers(model, channel_maxima(classifier, calibration_sentences()))
    model.config.return_dict = False
    fp32, int8_path = folder / "fp32.onnx", folder / "int8.onnx"
    example = torch.ones((2, 16), dtype=torch.long)
    axes = {0: "batch", 1: "tokens"}
    with warnings.catch_warnings():  # the exporter's deprecation and tracer notices
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model, (example, example.clone()), str(fp32), dynamo=False, opset_version=17,
            input_names=["input_ids", "attention_mask"], output_names=["logits"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "logits": {0: "batch"}},
        )
    if not int8:
        return fp32
    nodes = [node.name for node in onnx.load(str(fp32)).graph.node
             if node.op_type in ("MatMul", "Gemm") and "/encoder/" in node.name
             and "/outlier/" not in node.name]
    with _quiet_root_logger():  # its pre-processing advice is for static int8
        quantize_dynamic(str(fp32), str(int8_path), per_channel=True,
                         weight_type=quant_type.QInt8, nodes_to_quantize=nodes,
                         extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    proto = onnx.load(str(int8_path))
    onnx.helper.set_model_props(proto, {CACHE_KEY_FIELD: key, "recipe": RECIPE})
    onnx.save(proto, str(int8_path))
    return int8_path


def _cached_runner(path: Path, key: str, threads: int) -> OnnxRunner | None:
    """The cached int8 model when it exists and was built from this recipe and these weights."""
    if not path.is_file():
        return None
    try:
        runner = OnnxRunner(path, threads)
    except Exception as exc:  # noqa: BLE001  (a torn or foreign file: rebuild it)
        log.warning("--fast: %s is unreadable (%s); rebuilding it", path, exc)
        return None
    found = runner.session.get_modelmeta().custom_metadata_map.get(CACHE_KEY_FIELD)
    if found != key:
        log.info("--fast: %s is stale (other recipe, weights or calibration); rebuilding", path)
        return None
    return runner


def _store(built: Path, target: Path) -> bool:
    """Copy `built` to `target` atomically (a temp file in the same folder, then rename)."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(built, tmp)
        os.replace(tmp, target)
        return True
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        log.warning("--fast: cannot cache the int8 model in %s (%s); it is rebuilt on every run",
                    target.parent, exc.strerror)
        return False


def fast_classifier(
    classifier: Classifier, threads: int | None = None, int8: bool = True
) -> Classifier:
    """`classifier` scoring through the int8 ONNX Runtime model (`RECIPE`).

    The int8 model is cached in the model folder (`CACHE_FILE`, stamped with `cache_key`): the
    first run builds it (~10 s), later runs load it; a cache from another recipe, other weights
    or a torn file is rebuilt. `int8=False` runs the same exported graph in fp32, never cached:
    equal to torch up to float rounding, a check that export and outlier splitting change
    nothing by themselves.
    """
    _quantizer()
    threads = threads or torch.get_num_threads()
    key = cache_key(classifier)
    cached = classifier.folder / CACHE_FILE
    runner = _cached_runner(cached, key, threads) if int8 else None
    if runner is not None:
        log.info("--fast: using the cached int8 model %s", cached)
        return replace(classifier, runner=runner)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="framing-fast-") as tmp:
        built = _export(classifier, Path(tmp), int8, key)
        stored = int8 and _store(built, cached)
        runner = OnnxRunner(cached if stored else built, threads)
    if int8:
        log.info("--fast: built the int8 model in %.1f s%s", time.perf_counter() - started,
                 f", cached in {cached}" if stored else "")
    return replace(classifier, runner=runner)
