"""The `Pass`: what a pass means, in the words of the people who issue passes.

Nothing here is Apple or Google vocabulary. Each wallet compiler (`passkit.apple`,
`passkit.google`) maps a `Pass` to its own JSON and enforces its own wallet's rules; this
package enforces only what is true of a pass whatever wallet shows it, and the Apple rules
that any pass breaks whatever its style (`passkit.apple_rules`).

Every model is immutable. Invalid values raise `WalletRuleError` naming the field path
(for example ``locations[3].latitude``) rather than pydantic's `ValidationError`.

The modules: `base` (the base `Model`, errors), `choices` (the enumerations), `fields` (fields
and their values), `looks` (colours, images, translations), `parts` (barcode, places, web
service, NFC, links, messages, event, trip) and `pass_` (the `Pass`). Users import every name
from here.
"""

from passkit.model.base import Model, describe_validation_error
from passkit.model.choices import (
    Alignment,
    BarcodeFormat,
    DateStyle,
    Kind,
    LinkKind,
    NumberStyle,
    Status,
    StringsEncoding,
    TransitType,
)
from passkit.model.fields import FIELD_GROUPS, FieldValue, Money, PassField
from passkit.model.looks import IMAGE_ROLES, ColorValue, Image, Images, Translation
from passkit.model.parts import (
    Barcode,
    Beacon,
    Event,
    Link,
    Location,
    Message,
    Nfc,
    Place,
    Trip,
    WebService,
)
from passkit.model.pass_ import BundleOptions, Pass

__all__ = [
    "FIELD_GROUPS",
    "IMAGE_ROLES",
    "Alignment",
    "Barcode",
    "BarcodeFormat",
    "Beacon",
    "BundleOptions",
    "ColorValue",
    "DateStyle",
    "Event",
    "FieldValue",
    "Image",
    "Images",
    "Kind",
    "Link",
    "LinkKind",
    "Location",
    "Message",
    "Model",
    "Money",
    "Nfc",
    "NumberStyle",
    "Pass",
    "PassField",
    "Place",
    "Status",
    "StringsEncoding",
    "TransitType",
    "Translation",
    "Trip",
    "WebService",
    "describe_validation_error",
]
