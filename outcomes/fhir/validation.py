"""Building a resource through its fhir.resources model, and failing without quoting the data.

pydantic's own message repeats the offending value (a name, a birth date), which would then reach a traceback or a
log; ``FhirInvalid`` keeps the place and the kind of each fault only.

fhir.resources and pydantic are imported when a document is built, not when the portal starts: importing them takes
about a second, which every web worker and management command would otherwise pay.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from fhir.resources.R4B.resource import Resource

R = TypeVar("R", bound="Resource")


class FhirInvalid(ValueError):
    """The built resource does not validate; the message lists places and kinds of faults, never values."""


def validated(model: type[R], data: Mapping[str, Any]) -> R:
    from pydantic import ValidationError

    try:
        return model.model_validate(data)
    except ValidationError as error:
        faults = "; ".join(
            f"{'.'.join(str(part) for part in fault['loc'])}: {fault['type']}" for fault in error.errors()
        )
        raise FhirInvalid(f"{model.__name__} does not validate: {faults}") from None
