"""Argos packages that really translate, word by word, from a small dictionary.

The random-weight packages of :mod:`tests.helpers.argos_packages` exercise the
engine but write gibberish. An end-to-end test ("a user writes Romanian, the
NLU understands English") needs a package whose output is predictable, so this
one is built by hand instead of trained:

* ``sentencepiece.model`` is a *word* model: input is split at whitespace only
  and every dictionary word is one piece ``▁word`` -- in lower case and with
  its first letter capitalised, alone and followed by one of ``.,!?:;``.
  Source and target words share this one vocabulary, as many Argos packages do.
  Any other word becomes ``<unk>``.
* ``model/`` is a CTranslate2 Transformer (1 encoder layer, 1 decoder layer,
  1 head) with hand-set weights. The encoder's embedding of a source piece
  already says which target piece to write (its translation, or itself when
  the word is not in the dictionary); the decoder's cross-attention at step
  ``t`` looks only at source position ``t`` and copies that. The source ends in
  ``</s>`` (``add_source_eos``), which is copied too, so decoding stops right
  after the last word. An unknown word yields ``<unk>``, which
  ``translate_batch(..., replace_unknowns=True)`` replaces with the source
  piece the decoder attended to: names like "Sindelfingen" come through as written.

Limits: one source word gives exactly one target piece (a target may contain
spaces: "need help" becomes the one piece ``▁need▁help``); several source
words cannot be merged into one ("buna ziua" -> "hello" is not possible) and no
word can be dropped; word order is kept; at most ``MAX_SENTENCE_PIECES - 1``
words per sentence; a word with other punctuation around it (quotes,
brackets, "ziua?!") is an unknown word and copied unchanged.
"""

from __future__ import annotations

import functools
import io
import shutil
import struct
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tests.helpers.argos_packages import write_metadata

#: Longest source sentence in pieces, ``</s>`` included: the size of the position table.
MAX_SENTENCE_PIECES = 128

#: Punctuation that may follow a dictionary word and is kept in the translation.
TRAILING_PUNCTUATION = ("", ".", ",", "!", "?", ":", ";")

_SPECIAL_PIECES = ("<unk>", "<s>", "</s>")
_WORD_BOUNDARY = "▁"

# Logit per matching feature of the output piece: the right piece scores 3 of 3, every
# other piece at most 2 of 3, so the margin is this many nats.
_OUTPUT_GAIN = 30.0
# Attention logit the decoder gives its own source position over any other.
_ATTENTION_SHARPNESS = 40.0
_LAYER_NORM_EPSILON = 1e-6


def build_dictionary_package(
    folder: Path,
    from_code: str,
    to_code: str,
    dictionary: dict[str, str],
    *,
    version: str = "1.0",
) -> Path:
    """Write an installed (unzipped) Argos package that translates word by word.

    The package is the sub-folder ``translate-<from>_<to>-<version>`` of ``folder``
    with ``metadata.json``, ``sentencepiece.model`` and ``model/`` (CTranslate2).

    Args:
        folder: where the package folder is created (e.g. a packages dir).
        from_code, to_code: Argos language codes.
        dictionary: source word -> its translation. Keys are single words; values may
            be several words. Matching is case-sensitive except for the first letter:
            "Am" is translated like "am", and the translation is capitalised then.
        version: ``package_version`` in the metadata.

    Returns:
        The package folder.
    """
    vocabulary = _Vocabulary.build(dictionary)

    package_dir = Path(folder) / f"translate-{from_code}_{to_code}-{version.replace('.', '_')}"
    if package_dir.exists():
        shutil.rmtree(package_dir)
    (package_dir / "model").mkdir(parents=True)

    (package_dir / "sentencepiece.model").write_bytes(_sentencepiece_model(vocabulary.pieces))
    spec = _transformer(vocabulary)
    spec.save(str(package_dir / "model"))

    write_metadata(package_dir, from_code, to_code, version)
    return package_dir


# ======================================================================================
# Vocabulary: every piece described by three features (stem, capitalised, punctuation)
# ======================================================================================


@dataclass(frozen=True)
class _Vocabulary:
    pieces: list[str]
    #: (stem index, capitalised 0/1, punctuation index) of every piece.
    features: list[tuple[int, int, int]]
    #: index of the piece the model writes for every source piece.
    translation: list[int]
    stem_count: int

    @classmethod
    def build(cls, dictionary: dict[str, str]) -> _Vocabulary:
        translations: dict[str, str] = {}
        for source, target in dictionary.items():
            if not source or source != source.strip() or any(c.isspace() for c in source):
                raise ValueError(f"dictionary keys must be single words, got {source!r}")
            if not target.strip():
                raise ValueError(f"empty translation for {source!r}")
            # sentencepiece NFKC-normalises the input, so a key must be in that form to match.
            stem = _lower_first(unicodedata.normalize("NFKC", source))
            target_word = _WORD_BOUNDARY.join(target.split())
            if translations.get(stem, target_word) != target_word:
                raise ValueError(f"two translations for {source!r}")
            translations[stem] = target_word

        stems = list(_SPECIAL_PIECES)
        for word in [*translations, *translations.values()]:
            stem = _lower_first(word)
            if stem not in stems:
                stems.append(stem)

        pieces: list[str] = []
        features: list[tuple[int, int, int]] = []
        for stem_index, stem in enumerate(stems):
            if stem in _SPECIAL_PIECES:
                pieces.append(stem)
                features.append((stem_index, 0, 0))
                continue
            for capitalised, word in enumerate((stem, _upper_first(stem))):
                if capitalised and word == stem:
                    continue  # no upper case in this script
                for punctuation_index, punctuation in enumerate(TRAILING_PUNCTUATION):
                    pieces.append(_WORD_BOUNDARY + word + punctuation)
                    features.append((stem_index, capitalised, punctuation_index))
        if len(set(pieces)) != len(pieces):
            raise ValueError("dictionary words collide once capitalised; use other words")
        index_of = {piece: index for index, piece in enumerate(pieces)}

        translation = []
        for piece, (stem_index, capitalised, punctuation_index) in zip(
            pieces, features, strict=True
        ):
            stem = stems[stem_index]
            if stem in _SPECIAL_PIECES or stem not in translations:
                translation.append(index_of[piece])
                continue
            target = translations[stem]
            if capitalised:
                target = _upper_first(target)
            target_piece = _WORD_BOUNDARY + target + TRAILING_PUNCTUATION[punctuation_index]
            translation.append(index_of[target_piece])
        return cls(pieces, features, translation, len(stems))


def _lower_first(word: str) -> str:
    return word[:1].lower() + word[1:]


def _upper_first(word: str) -> str:
    return word[:1].upper() + word[1:]


# ======================================================================================
# sentencepiece.model
# ======================================================================================


def _sentencepiece_model(pieces: list[str]) -> bytes:
    """A word model with exactly ``pieces`` as its vocabulary, in this order.

    The trainer cannot be told the vocabulary (it would also never make a piece of
    a multi-word target), so the piece list is written here, in protobuf wire format,
    next to the trainer and normalizer settings of a trained word model. (The
    ``sentencepiece_model_pb2`` module needs a newer protobuf than Rasa allows.)
    """
    piece_types = {"<unk>": 2, "<s>": 3, "</s>": 3}  # UNKNOWN, CONTROL; 1 is NORMAL
    model = bytearray()
    for piece in pieces:
        encoded = piece.encode("utf-8")
        message = (
            b"\x0a"
            + _varint(len(encoded))
            + encoded
            + b"\x15"
            + struct.pack("<f", 0.0)
            + b"\x18"
            + _varint(piece_types.get(piece, 1))
        )
        model += b"\x0a" + _varint(len(message)) + message
    return bytes(model) + _word_model_settings()


@functools.cache
def _word_model_settings() -> bytes:
    """Every field but the pieces (field 1) of a freshly trained word model."""
    import sentencepiece

    trained = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(["a b c"]),
        model_writer=trained,
        model_type="word",
        vocab_size=6,
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=-1,
        minloglevel=2,
    )
    data = trained.getvalue()
    settings = bytearray()
    position = 0
    while position < len(data):
        start = position
        key, position = _read_varint(data, position)
        if key & 7 != 2:
            raise ValueError("unexpected field in a sentencepiece model")
        length, position = _read_varint(data, position)
        position += length
        if key >> 3 != 1:
            settings += data[start:position]
    return bytes(settings)


def _varint(value: int) -> bytes:
    encoded = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            encoded.append(byte | 0x80)
        else:
            encoded.append(byte)
            return bytes(encoded)


def _read_varint(data: bytes, position: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[position]
        position += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, position


# ======================================================================================
# model/ (CTranslate2)
# ======================================================================================


def _transformer(vocabulary: _Vocabulary):
    """A Transformer that copies ``vocabulary.translation`` of the source, position by position.

    The residual stream has one dimension per stem, two for "capitalised or not", one
    per trailing punctuation (the *feature* dimensions), then one per position.
    Each stream always holds exactly four ones (three features and one position),
    or a single one (only a position) in the decoder before it has read the
    source, so every pre-norm layer norm sees the same mean and spread and is
    turned into the identity by choosing its gamma and beta. Self-attention and
    feed-forward sub-layers write zeros.

    Every one of these dimensions is followed by an unused one (see
    :func:`_spread`): CTranslate2 runs the model in int8, and some GEMM kernels
    (oneDNN on AVX2, its default on AMD CPUs) add two neighbouring byte products
    into a 16-bit sum that saturates. With at most one non-zero weight in each
    such pair of columns, no sum can saturate, and the model translates the same
    under every backend and instruction set.
    """
    import ctranslate2.specs

    stem_dims = vocabulary.stem_count
    capital_offset = stem_dims
    punctuation_offset = capital_offset + 2
    position_offset = punctuation_offset + len(TRAILING_PUNCTUATION)
    width = position_offset + MAX_SENTENCE_PIECES  # logical dimensions
    d_model = _SPREAD * width
    piece_count = len(vocabulary.pieces)

    def feature_vector(piece_index: int) -> np.ndarray:
        stem, capitalised, punctuation = vocabulary.features[piece_index]
        vector = np.zeros(width, np.float32)
        vector[[stem, capital_offset + capitalised, punctuation_offset + punctuation]] = 1.0
        return vector

    def identity_layer_norm(layer, ones: int) -> None:
        # Input: ``ones`` entries 1, the rest 0. LN(x) = gamma * (x - mean) / spread + beta.
        mean = ones / d_model
        spread = np.sqrt(mean - mean**2 + _LAYER_NORM_EPSILON)
        layer.gamma = np.full(d_model, spread, np.float32)
        layer.beta = np.full(d_model, mean, np.float32)

    def zero_linear(layer, rows: int, columns: int) -> None:
        layer.weight = np.zeros((rows, columns), np.float32)
        layer.bias = np.zeros(rows, np.float32)

    def silent_self_attention(attention, ones: int) -> None:
        identity_layer_norm(attention.layer_norm, ones)
        zero_linear(attention.linear[0], 3 * d_model, d_model)  # fused query, key, value
        zero_linear(attention.linear[1], d_model, d_model)

    def silent_feed_forward(ffn, ones: int) -> None:
        identity_layer_norm(ffn.layer_norm, ones)
        zero_linear(ffn.linear_0, 8, d_model)
        zero_linear(ffn.linear_1, d_model, 8)

    positions = np.zeros((MAX_SENTENCE_PIECES, width), np.float32)
    positions[:, position_offset:] = np.eye(MAX_SENTENCE_PIECES, dtype=np.float32)

    spec = ctranslate2.specs.TransformerSpec.from_config((1, 1), 1)
    spec.config.add_source_eos = True
    spec.config.layer_norm_epsilon = _LAYER_NORM_EPSILON

    # Encoder: the features of the piece to write for each source piece, plus its position.
    encoder = spec.encoder
    encoder.scale_embeddings = False
    encoder.embeddings[0].weight = _spread(
        np.stack([feature_vector(target) for target in vocabulary.translation]), columns=True
    )
    encoder.position_encodings.encodings = _spread(positions, columns=True)
    (encoder_layer,) = encoder.layer
    silent_self_attention(encoder_layer.self_attention, ones=4)
    silent_feed_forward(encoder_layer.ffn, ones=4)
    identity_layer_norm(encoder.layer_norm, ones=4)

    # Decoder: ignores the pieces it wrote so far; only its position matters.
    decoder = spec.decoder
    decoder.scale_embeddings = False
    decoder.embeddings.weight = np.zeros((piece_count, d_model), np.float32)
    decoder.position_encodings.encodings = _spread(positions, columns=True)
    (decoder_layer,) = decoder.layer
    silent_self_attention(decoder_layer.self_attention, ones=1)

    cross_attention = decoder_layer.attention
    identity_layer_norm(cross_attention.layer_norm, ones=1)
    position_dims = slice(position_offset, width)
    feature_dims = slice(0, position_offset)
    # CTranslate2 divides the query by sqrt(head size); undo that and sharpen.
    query = np.zeros((width, width), np.float32)
    query[position_dims, position_dims] = np.eye(MAX_SENTENCE_PIECES) * (
        _ATTENTION_SHARPNESS * np.sqrt(d_model)
    )
    key = np.zeros((width, width), np.float32)
    key[position_dims, position_dims] = np.eye(MAX_SENTENCE_PIECES)
    value = np.zeros((width, width), np.float32)
    value[feature_dims, feature_dims] = np.eye(position_offset)
    # Every query also looks a little for the source's "</s>": too little to matter while
    # the decoder's position is inside the source, enough to make every hypothesis end once
    # it is past it (beam search keeps extending the runners-up otherwise).
    end_dim = _SPECIAL_PIECES.index("</s>")
    query_bias = np.zeros(width, np.float32)
    query_bias[end_dim] = _ATTENTION_SHARPNESS / 2 * np.sqrt(d_model)
    key[end_dim, end_dim] = 1.0
    cross_attention.linear[0].weight = _spread(query, rows=True, columns=True)
    cross_attention.linear[0].bias = _spread(query_bias, rows=True)
    cross_attention.linear[1].weight = np.concatenate(  # fused key, value
        [_spread(key, rows=True, columns=True), _spread(value, rows=True, columns=True)]
    )
    cross_attention.linear[1].bias = np.zeros(2 * d_model, np.float32)
    cross_attention.linear[2].weight = np.eye(d_model, dtype=np.float32)
    cross_attention.linear[2].bias = np.zeros(d_model, np.float32)

    silent_feed_forward(decoder_layer.ffn, ones=4)
    identity_layer_norm(decoder.layer_norm, ones=4)

    # Output: a piece's logit counts how many of its three features were copied.
    decoder.projection.weight = _spread(
        np.stack([feature_vector(index) * _OUTPUT_GAIN for index in range(piece_count)]),
        columns=True,
    )
    decoder.projection.bias = np.zeros(piece_count, np.float32)

    spec.register_source_vocabulary(vocabulary.pieces)
    spec.register_target_vocabulary(vocabulary.pieces)
    spec.validate()
    return spec


#: Each logical dimension of the model is followed by this many - 1 unused ones.
_SPREAD = 2


def _spread(matrix: np.ndarray, *, rows: bool = False, columns: bool = False) -> np.ndarray:
    """``matrix`` with its rows and/or columns moved to every ``_SPREAD``-th index, zeros between.

    Applied to the residual-stream axes only, so logical dimension ``i`` lives at
    physical dimension ``_SPREAD * i``.
    """
    shape = list(matrix.shape)
    index: list[slice] = [slice(None)] * matrix.ndim
    if rows:
        shape[0] *= _SPREAD
        index[0] = slice(None, None, _SPREAD)
    if columns:
        shape[-1] *= _SPREAD
        index[-1] = slice(None, None, _SPREAD)
    spread = np.zeros(shape, matrix.dtype)
    spread[tuple(index)] = matrix
    return spread
