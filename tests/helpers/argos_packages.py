"""Real Argos Translate packages, built offline for tests and benchmarks.

No registry ships Argos models, and tests must not download anything, so the
tests build their own packages: a sentencepiece model trained on a few lines
of multilingual text and a CTranslate2 Transformer with random weights, next to
a ``metadata.json`` -- the layout of a real ``.argosmodel`` (see
``../shared/PLATFORM.md``). The translations are gibberish, but deterministic
for a given seed, and the code under test runs exactly as with a real model.
"""

from __future__ import annotations

import functools
import io
import json
import random
import shutil
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# ======================================================================================
# Translation packages (random-weight Transformers)
# ======================================================================================

#: A few sentences per script, so that every test language tokenises into known pieces.
_CORPUS = """\
Guten Tag, ich brauche Hilfe bei der Wohnungssuche in Böblingen.
Wo finde ich einen Deutschkurs? Das Jobcenter hat mir einen Brief geschickt.
Hello, I need help finding a flat. Where can I learn German?
The appointment is on Monday at ten o'clock. Thank you very much!
Bună ziua, am nevoie de ajutor pentru a găsi o locuință.
Dzień dobry, potrzebuję pomocy w znalezieniu mieszkania.
Bonjour, j'ai besoin d'aide pour trouver un logement. Où est la mairie ?
Buongiorno, ho bisogno di aiuto per trovare un appartamento.
Merhaba, bir daire bulmak için yardıma ihtiyacım var.
مرحبا، أحتاج إلى مساعدة في العثور على شقة. أين أجد دورة لغة؟
سلام، برای پیدا کردن خانه به کمک نیاز دارم.
Добрий день, мені потрібна допомога з пошуком житла.
Здравствуйте, мне нужна помощь в поиске квартиры.
Γεια σας, χρειάζομαι βοήθεια για να βρω σπίτι.
Rufen Sie uns an: 07031 663-0 oder schreiben Sie an info@example.de.
Der Termin ist am 01.12.2026 um 10:30 Uhr, Zimmer 3.5, Nr. 12.
Welcome Center Region Stuttgart, Bundesamt für Migration und Flüchtlinge (BAMF).
"""

#: Language names for ``metadata.json`` (Argos shows them; the engine ignores them).
_LANGUAGE_NAMES = {
    "ar": "Arabic",
    "de": "German",
    "el": "Greek",
    "en": "English",
    "fa": "Persian",
    "fr": "French",
    "it": "Italian",
    "pl": "Polish",
    "ro": "Romanian",
    "ru": "Russian",
    "sq": "Albanian",
    "tr": "Turkish",
    "uk": "Ukrainian",
}


@dataclass(frozen=True)
class _ModelSize:
    encoder_layers: int
    decoder_layers: int
    d_model: int
    ffn: int
    heads: int
    vocab_size: int
    #: Length of the gibberish a random model writes per sentence (see _fill_transformer).
    output_tokens: int


_SIZES = {
    # ~0.05 s to build, ~100 KB: fast enough to build a few per test.
    "tiny": _ModelSize(1, 1, 32, 64, 2, 240, output_tokens=8),
    # The shape of the official Argos models (Transformer-base, int8): same compute per
    # token as a real one. 32k pieces; output length close to a 20-word sentence's.
    "base": _ModelSize(6, 6, 512, 2048, 8, 32000, output_tokens=30),
}


def build_argos_package(
    folder: Path,
    from_code: str,
    to_code: str,
    *,
    version: str = "1.0",
    seed: int = 0,
    size: str = "tiny",
    output_tokens: int | None = None,
) -> Path:
    """Write an installed (unzipped) Argos package into ``folder`` and return its path.

    The package is the sub-folder ``translate-<from>_<to>-<version>`` with
    ``metadata.json``, ``sentencepiece.model`` and ``model/`` (CTranslate2, int8).

    Args:
        folder: where the package folder is created (e.g. a packages dir).
        from_code, to_code: Argos language codes.
        version: ``package_version`` in the metadata.
        seed: different seeds give different weights (and translations).
        size: ``"tiny"`` for tests, ``"base"`` for benchmarks (Transformer-base).
        output_tokens: about how many pieces the model writes per sentence.
    """
    import ctranslate2.specs

    shape = _SIZES[size]
    package_dir = Path(folder) / f"translate-{from_code}_{to_code}-{version.replace('.', '_')}"
    if package_dir.exists():
        shutil.rmtree(package_dir)
    (package_dir / "model").mkdir(parents=True)

    sentencepiece_model = _train_sentencepiece(shape.vocab_size)
    (package_dir / "sentencepiece.model").write_bytes(sentencepiece_model)

    # Every pair gets its own weights, so a pivot through English really changes the text.
    pair_seed = zlib.crc32(f"{from_code}>{to_code}".encode())
    rng = np.random.default_rng([seed, pair_seed])
    spec = ctranslate2.specs.TransformerSpec.from_config(
        (shape.encoder_layers, shape.decoder_layers), shape.heads
    )
    vocabulary = _vocabulary(sentencepiece_model)
    _fill_transformer(spec, vocabulary, shape, rng, output_tokens or shape.output_tokens)
    spec.validate()
    spec.optimize(quantization="int8")
    spec.save(str(package_dir / "model"))

    write_metadata(package_dir, from_code, to_code, version)
    return package_dir


def write_metadata(package_dir: Path, from_code: str, to_code: str, version: str) -> None:
    """The ``metadata.json`` Argos reads to know what a package translates."""
    metadata = {
        "package_version": version,
        "argos_version": "1.9",
        "type": "translate",
        "from_code": from_code,
        "from_name": _LANGUAGE_NAMES.get(from_code, from_code),
        "to_code": to_code,
        "to_name": _LANGUAGE_NAMES.get(to_code, to_code),
        "links": [],
    }
    (package_dir / "metadata.json").write_text(json.dumps(metadata, indent=2), encoding="utf-8")


def build_argosmodel_file(
    path: Path,
    from_code: str,
    to_code: str,
    **options,
) -> Path:
    """Write ``path`` (an ``.argosmodel``): a zip with the package as its one top-level folder.

    Takes the keyword options of :func:`build_argos_package`.
    ``argostranslate.package.install_from_path`` accepts the result.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="argos-package-") as scratch:
        package_dir = build_argos_package(Path(scratch), from_code, to_code, **options)
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for file in sorted(package_dir.rglob("*")):
                archive.write(file, file.relative_to(package_dir.parent).as_posix())
    return path


@functools.cache
def _train_sentencepiece(vocab_size: int) -> bytes:
    import sentencepiece

    lines = _CORPUS.splitlines()
    if vocab_size > 1000:
        # A vocabulary of official size needs many distinct words: made-up ones will do.
        lines = lines * 20 + _made_up_sentences(20000)
    model = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=model,
        vocab_size=vocab_size,
        model_type="bpe",
        character_coverage=1.0,
        hard_vocab_limit=False,
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=-1,
        num_threads=2,
        minloglevel=2,
    )
    return model.getvalue()


def _made_up_sentences(count: int) -> list[str]:
    rng = random.Random(0)
    syllables = (
        [c + v for c in "bcdfghjklmnprstvwz" for v in "aeiouäöü"]
        + [c + v for c in "бвгдклмнпрст" for v in "аеиоу"]
        + [c + v for c in "بتثجحخدرزسشص" for v in "اوي"]
    )
    words = ["".join(rng.choice(syllables) for _ in range(rng.randint(1, 4))) for _ in range(60000)]
    return [" ".join(rng.choice(words) for _ in range(15)) for _ in range(count)]


def _vocabulary(sentencepiece_model: bytes) -> list[str]:
    import sentencepiece

    processor = sentencepiece.SentencePieceProcessor(model_proto=sentencepiece_model)
    # <unk>, <s>, </s> come first: the tokens CTranslate2 expects by default.
    return [processor.id_to_piece(i) for i in range(processor.get_piece_size())]


def _fill_transformer(spec, vocabulary: list[str], shape: _ModelSize, rng, output_tokens: int):
    """Random weights, plus one rigged dimension that makes the decoder stop.

    A random decoder rarely picks the end token and would write 256 pieces per
    sentence: slow tests, and far more decoding work than a real model does.
    So the last dimension of the decoder's residual stream carries only the
    position (a ramp in the position table; embeddings and sub-layers never
    write to it), and only the end token's output row reads it: the end token
    wins after about ``output_tokens`` steps. Everything else stays random, so
    the output still depends on the input.
    """
    d_model, vocab_size = shape.d_model, len(vocabulary)
    ramp = d_model - 1

    def linear(layer, rows: int, columns: int, *, keep_ramp_clear: bool = False) -> None:
        weight = rng.standard_normal((rows, columns)) / np.sqrt(columns)
        if keep_ramp_clear:
            weight[ramp] = 0.0
        layer.weight = weight.astype(np.float32)
        layer.bias = np.zeros(rows, np.float32)

    def layer_norm(layer) -> None:
        layer.gamma = np.ones(d_model, np.float32)
        layer.beta = np.zeros(d_model, np.float32)

    def embeddings(clear_ramp: bool) -> np.ndarray:
        weight = rng.standard_normal((vocab_size, d_model)) / np.sqrt(d_model)
        if clear_ramp:
            weight[:, ramp] = 0.0
        return weight.astype(np.float32)

    def feed_forward(ffn, *, decoder: bool) -> None:
        layer_norm(ffn.layer_norm)
        linear(ffn.linear_0, shape.ffn, d_model)
        linear(ffn.linear_1, d_model, shape.ffn, keep_ramp_clear=decoder)

    def self_attention(attention, *, decoder: bool) -> None:
        layer_norm(attention.layer_norm)
        linear(attention.linear[0], 3 * d_model, d_model)  # fused query, key, value
        linear(attention.linear[1], d_model, d_model, keep_ramp_clear=decoder)

    encoder, decoder = spec.encoder, spec.decoder
    encoder.embeddings[0].weight = embeddings(clear_ramp=False)
    layer_norm(encoder.layer_norm)
    for layer in encoder.layer:
        self_attention(layer.self_attention, decoder=False)
        feed_forward(layer.ffn, decoder=False)

    decoder.embeddings.weight = embeddings(clear_ramp=True)
    layer_norm(decoder.layer_norm)
    for layer in decoder.layer:
        self_attention(layer.self_attention, decoder=True)
        layer_norm(layer.attention.layer_norm)
        linear(layer.attention.linear[0], d_model, d_model)  # query
        linear(layer.attention.linear[1], 2 * d_model, d_model)  # fused key, value
        linear(layer.attention.linear[2], d_model, d_model, keep_ramp_clear=True)
        feed_forward(layer.ffn, decoder=True)

    positions = _sinusoidal_positions(1024, d_model)
    slope = 0.5 / output_tokens
    # The final layer norm divides by the spread of the other dimensions: about 1 from the
    # embeddings, 0.5 from the position table, 2.5 from each layer's three sub-layers.
    spread = np.sqrt(1.5 + 2.5 * shape.decoder_layers)
    positions[:, ramp] = np.arange(len(positions)) * slope * spread
    decoder.position_encodings.encodings = positions

    # The output layer: random rows that ignore the ramp, and an end token that reads only
    # the ramp. After the final layer norm the ramp is about ``slope * step`` (the other
    # dimensions have roughly unit variance), so the end token's logit crosses the others
    # near ``output_tokens`` and then climbs steeply.
    projection = rng.standard_normal((vocab_size, d_model)) / np.sqrt(d_model)
    projection[:, ramp] = 0.0
    end_token = vocabulary.index("</s>")
    projection[end_token] = 0.0
    steepness = 3.0 / slope  # logit gained per step
    projection[end_token, ramp] = steepness
    bias = np.zeros(vocab_size)
    bias[end_token] = -steepness * slope * output_tokens
    decoder.projection.weight = projection.astype(np.float32)
    decoder.projection.bias = bias.astype(np.float32)

    spec.register_source_vocabulary(vocabulary)
    spec.register_target_vocabulary(vocabulary)


def _sinusoidal_positions(length: int, depth: int) -> np.ndarray:
    # The usual Transformer position table ([sin | cos] halves, as CTranslate2 uses).
    half = depth // 2
    scales = np.exp(-np.log(10000.0) * np.arange(half) / max(half - 1, 1))
    angles = np.arange(length)[:, None] * scales[None, :]
    return np.concatenate([np.sin(angles), np.cos(angles)], axis=1).astype(np.float32)
