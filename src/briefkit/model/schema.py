"""The JSON Schema of the front matter, published by ``briefkit schema``."""

from __future__ import annotations

import json

from briefkit.model.brief import FrontMatter

SCHEMA_ID = "https://briefkit.example/schema/front-matter.json"


def front_matter_schema() -> str:
    """Return the front matter's JSON Schema (draft 2020-12) as indented JSON."""
    schema = FrontMatter.model_json_schema(mode="validation")
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}
    return json.dumps(schema, indent=2, ensure_ascii=False)
