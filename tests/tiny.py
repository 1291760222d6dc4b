"""A tiny randomly initialised BERT built offline, for fast tests.

The WordPiece vocabulary is trained here with the `tokenizers` library on a few hundred
news words, and the encoder is 2 layers, 32 wide: it trains 30 steps in seconds.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import torch
from tokenizers import (
    Tokenizer,
    decoders,
    models,
    normalizers,
    pre_tokenizers,
    processors,
    trainers,
)
from transformers import BertConfig, BertForSequenceClassification, PreTrainedTokenizerFast

from framing.taxonomy import Taxonomy

NEWS_WORDS = """
the a an of in on at to from by with for and or but not is are was were be been has have had
said says according told reported officials ministry army troops soldiers police government
president minister state forces regime military security city town village province border
rebels rebel insurgents insurgency opposition fighters armed group groups faction factions
militants militant extremists jihadists radicals takfiri mercenaries terrorists terrorist
terrorism terror attack attacks bomb bombing shelled killed wounded captured seized held
resistance freedom martyrs martyr heroes heroic mujahideen movement gunmen militia militias
combatants attackers separatists guerrillas civilians refugees aid election parliament bill
vote court prices weather tax reform strike union teachers antibiotics film star rebel-held
syria aleppo idlib damascus iraq mosul yemen libya gaza lebanon kabul turkey kurdish pkk ypg
hts isis daesh hezbollah hamas houthis taliban shabaab boko haram sdf fsa sna nusra qaeda
on tuesday wednesday monday yesterday today week after before during near north south east
west city's countryside camp checkpoint convoy ceasefire truce talks peace negotiations
drone air strike strikes rocket rockets mortar artillery explosion car suicide roadside
so-called moderate foreign backed western funded brave defenders liberation occupation
""".split()


def build_tiny_base(out_dir: Path, taxonomy: Taxonomy, seed: int = 0) -> Path:
    """Write a tiny BERT (safetensors) + fast tokenizer with the taxonomy's labels to out_dir."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    special = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece()
    corpus = [" ".join(NEWS_WORDS[i : i + 12]) for i in range(0, len(NEWS_WORDS), 6)]
    tok.train_from_iterator(
        corpus * 3, trainers.WordPieceTrainer(vocab_size=700, special_tokens=special)
    )
    cls_id, sep_id = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)],
    )
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        model_max_length=128,
    )
    fast.save_pretrained(out_dir)
    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=tok.get_vocab_size(),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
        num_labels=len(taxonomy.labels),
        id2label=taxonomy.id2label,
        label2id=taxonomy.label2id,
    )
    BertForSequenceClassification(config).save_pretrained(out_dir)
    return out_dir


def build_tiny_model_folder(out_dir: Path, taxonomy_path: Path, taxonomy: Taxonomy) -> Path:
    """An untrained but complete model folder (weights, tokenizer, taxonomy copy, calibration)."""
    build_tiny_base(out_dir, taxonomy)
    shutil.copy(taxonomy_path, Path(out_dir) / "taxonomy.yaml")
    (Path(out_dir) / "calibration.json").write_text('{"temperature": 1.0}\n')
    return Path(out_dir)
