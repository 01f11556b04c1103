"""A catalogue version as the YAML file ``catalogue load`` reads: exported, then loaded again,
it is the same version ("unchanged")."""

from __future__ import annotations

import yaml

from tracker.catalogue.loader import CatalogueSpec, spec_of
from tracker.models import CatalogueVersion

# No line is folded: each value on the line of its field, as in seeds/catalogue.yaml.
UNFOLDED = 1_000_000


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper, writing a list of plain values on one line (``parties: [infor,
    client]``), text with line breaks as a block (``|``) when YAML can keep it exact, and
    the items of a list indented under its field, as seeds/catalogue.yaml writes them."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


def _list(dumper: yaml.SafeDumper, values: list) -> yaml.Node:
    flat = all(not isinstance(value, dict | list) for value in values)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", values, flow_style=flat)


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    # The emitter falls back to a quoted style wherever a block would not read back the same
    # (trailing spaces, say).
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(list, _list)
_Dumper.add_representer(str, _text)


def catalogue_yaml(spec: CatalogueSpec, *, heading: str | None = None) -> str:
    """``spec`` as catalogue YAML: ``source``, then each area and its rows, every field of
    the loader's models in their order (the optional ones too, as null); ``heading``, a
    line of text, as a comment above them."""
    comment = f"# {' '.join(heading.split())}\n" if heading else ""
    return comment + yaml.dump(
        spec.model_dump(mode="json"),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=UNFOLDED,
        default_flow_style=False,
    )


def version_yaml(version: CatalogueVersion) -> str:
    """Catalogue version ``version`` as the file to load it from again."""
    return catalogue_yaml(
        spec_of(version),
        heading=(
            f"Catalogue version {version.number}, loaded {version.loaded_at:%Y-%m-%d %H:%M} UTC. "
            "Load it with: flask --app app catalogue load FILE"
        ),
    )
