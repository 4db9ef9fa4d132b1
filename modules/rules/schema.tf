# The rules schema as a flat map from a JSON pointer ("#/definitions/scope/properties/name") to
# the subschema there, each with its "$ref" resolved, so that the checks in checks.tf can walk a
# rules file by the schema instead of restating it. Terraform has no recursion: the schema is
# unrolled level by level, deeper than it nests today; a test fails when it nests deeper.

locals {
  schema_level_0 = { "#" = local.schema }
  schema_level_1 = merge(flatten([for ptr, node in local.schema_level_0 : [
    { for key, child in try(node.properties, {}) : "${ptr}/properties/${key}" => child },
    { for key, child in try(node.definitions, {}) : "${ptr}/definitions/${key}" => child },
    can(keys(node.items)) ? { "${ptr}/items" = node.items } : {},
    can(keys(node.additionalProperties)) ? { "${ptr}/additionalProperties" = node.additionalProperties } : {},
  ]])...)
  schema_level_2 = merge(flatten([for ptr, node in local.schema_level_1 : [
    { for key, child in try(node.properties, {}) : "${ptr}/properties/${key}" => child },
    can(keys(node.items)) ? { "${ptr}/items" = node.items } : {},
    can(keys(node.additionalProperties)) ? { "${ptr}/additionalProperties" = node.additionalProperties } : {},
  ]])...)
  schema_level_3 = merge(flatten([for ptr, node in local.schema_level_2 : [
    { for key, child in try(node.properties, {}) : "${ptr}/properties/${key}" => child },
    can(keys(node.items)) ? { "${ptr}/items" = node.items } : {},
    can(keys(node.additionalProperties)) ? { "${ptr}/additionalProperties" = node.additionalProperties } : {},
  ]])...)
  schema_level_4 = merge(flatten([for ptr, node in local.schema_level_3 : [
    { for key, child in try(node.properties, {}) : "${ptr}/properties/${key}" => child },
    can(keys(node.items)) ? { "${ptr}/items" = node.items } : {},
    can(keys(node.additionalProperties)) ? { "${ptr}/additionalProperties" = node.additionalProperties } : {},
  ]])...)
  # Must stay empty (a test checks it): a subschema here would not be walked.
  schema_level_5 = merge(flatten([for ptr, node in local.schema_level_4 : [
    { for key, child in try(node.properties, {}) : "${ptr}/properties/${key}" => child },
    can(keys(node.items)) ? { "${ptr}/items" = node.items } : {},
    can(keys(node.additionalProperties)) ? { "${ptr}/additionalProperties" = node.additionalProperties } : {},
  ]])...)

  # Keywords the walk applies, and those that only annotate; anything else must not appear.
  understood_keywords = [
    "$schema", "title", "description", "default", "examples", "definitions", "x-level-pairs",
    "$ref", "type", "properties", "required", "additionalProperties", "items",
    "minimum", "maximum", "pattern", "enum", "const", "minItems", "minLength", "minProperties",
  ]

  schema_raw = merge(local.schema_level_0, local.schema_level_1, local.schema_level_2, local.schema_level_3, local.schema_level_4)

  # Each subschema with the definition its "$ref" names merged under it (its own keywords win), as
  # Ajv applies them. One level of "$ref", which is all the schema uses (a test checks that too).
  # Child pointers lead to wherever the child is declared, here or in the definition.
  schemas = {
    for ptr, raw in local.schema_raw : ptr => {
      ref   = try(raw["$ref"], null)
      types = flatten([try(raw.type, local.schema_raw[raw["$ref"]].type, [])])
      properties = merge(
        { for key, _ in try(local.schema_raw[raw["$ref"]].properties, {}) : key => "${raw["$ref"]}/properties/${key}" },
        { for key, _ in try(raw.properties, {}) : key => "${ptr}/properties/${key}" },
      )
      required = try(raw.required, local.schema_raw[raw["$ref"]].required, [])
      items = (
        can(keys(raw.items)) ? "${ptr}/items" :
        can(keys(local.schema_raw[raw["$ref"]].items)) ? "${raw["$ref"]}/items" : null
      )
      additional = (
        can(keys(raw.additionalProperties)) ? "${ptr}/additionalProperties" :
        can(keys(local.schema_raw[raw["$ref"]].additionalProperties)) ? "${raw["$ref"]}/additionalProperties" : null
      )
      closed         = try(raw.additionalProperties, local.schema_raw[raw["$ref"]].additionalProperties, true) == false
      minimum        = try(raw.minimum, local.schema_raw[raw["$ref"]].minimum, null)
      maximum        = try(raw.maximum, local.schema_raw[raw["$ref"]].maximum, null)
      pattern        = try(raw.pattern, local.schema_raw[raw["$ref"]].pattern, null)
      enum           = try([for value in raw.enum : jsonencode(value)], [for value in local.schema_raw[raw["$ref"]].enum : jsonencode(value)], null)
      const          = try(jsonencode(raw.const), jsonencode(local.schema_raw[raw["$ref"]].const), null)
      min_items      = try(raw.minItems, local.schema_raw[raw["$ref"]].minItems, null)
      min_length     = try(raw.minLength, local.schema_raw[raw["$ref"]].minLength, null)
      min_properties = try(raw.minProperties, local.schema_raw[raw["$ref"]].minProperties, null)
    }
  }
}
