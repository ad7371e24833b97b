"""API models made from the dataclasses they expose, so a field added to one is served without a second edit."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any, get_type_hints

from pydantic import BaseModel, ConfigDict, Field, create_model


def model_of_dataclass(
    source: type,
    name: str,
    *,
    exclude: Iterable[str] = (),
    types: Mapping[str, Any] | None = None,
    descriptions: Mapping[str, str] | None = None,
    config: ConfigDict | None = None,
) -> type[BaseModel]:
    """A model with ``source``'s fields in its order, every one required (the API always sends them all).

    ``types`` narrows a field for the schema (a ``str`` that only ever holds a few values, say) and
    ``descriptions`` documents it in ``/docs``; naming a field the dataclass does not have is an error,
    so renaming a field cannot silently drop its description.
    """
    exclude, types, descriptions = set(exclude), dict(types or {}), dict(descriptions or {})
    own = [f.name for f in dataclasses.fields(source)]
    unknown = (exclude | set(types) | set(descriptions)) - set(own)
    if unknown:
        raise ValueError(f"{source.__name__} has no field {', '.join(sorted(unknown))}")
    hints = get_type_hints(source)
    fields: dict[str, Any] = {}
    for field_name in own:
        if field_name in exclude:
            continue
        description = descriptions.get(field_name)
        fields[field_name] = (
            types.get(field_name, hints[field_name]),
            Field(description=description) if description else ...,
        )
    return create_model(name, __config__=config, __module__="ui.rest.models", **fields)


__all__ = ["model_of_dataclass"]
