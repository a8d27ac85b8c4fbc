"""A trained model that answers one response differently, without training it again.

Swap and rollback tests need two models a user can tell apart. Training takes
minutes; a copy of the trained model whose stored domain (``metadata.json``
and the domain provider's ``domain.yml``, both read when Rasa loads a model)
gives ``response`` another text is enough: the Rasa server must then serve
that text after a swap, through the domain it hands to the response generator.
"""

from __future__ import annotations

import io
import json
import tarfile
import uuid
from pathlib import Path

from ruamel.yaml import YAML


def model_with_response(source: Path, target: Path, response: str, text: str) -> str:
    """Write ``target``: ``source`` with ``response`` saying ``text``; return its model id."""
    model_id = uuid.uuid4().hex
    with tarfile.open(source, "r:gz") as original, tarfile.open(target, "w:gz") as variant:
        for member in original.getmembers():
            data = original.extractfile(member).read() if member.isfile() else None
            name = member.name.lstrip("/")
            if name == "metadata.json":
                metadata = json.loads(data)
                metadata["domain"]["responses"][response] = [{"text": text}]
                metadata["model_id"] = model_id
                data = json.dumps(metadata).encode("utf-8")
            elif name == "components/domain_provider/domain.yml":
                # YAML 1.2 as Rasa writes it ("No" is a text there, not false).
                yaml = YAML()
                domain = yaml.load(data)
                domain["responses"][response] = [{"text": text}]
                out = io.BytesIO()
                yaml.dump(domain, out)
                data = out.getvalue()
            if data is not None:
                member.size = len(data)
                variant.addfile(member, io.BytesIO(data))
            else:
                variant.addfile(member)
    return model_id
