# Every problem of the rules file that Terraform's built-in functions can find, as sentences that
# name the scope and the field: `scope "prod-subnets": thresholds.warning (90) must be below
# thresholds.critical (80)`. The schema part is driven by lambda/schema/rules.schema.json (see
# schema.tf); what a schema cannot say (unique names, level order, CIDRs, globs) is written out
# below, following lambda/src/rules/semantic.ts. test/rules-corpus.tftest.hcl holds these to the
# validator's corpus of bad files. What stays with the validator alone: duplicate YAML keys
# (yamldecode keeps the last silently), resource types one edit away from a known one, IPv6
# addresses written with an embedded IPv4 part.

locals {
  # A value's kind, told apart by its JSON text: a number and the string "80" look alike elsewhere.
  kind_by_first_character = { "\"" = "string", "{" = "mapping", "[" = "list", "t" = "bool", "f" = "bool", "n" = "null" }
  type_words              = { number = "a number", integer = "a whole number", string = "a string", boolean = "true or false", object = "a mapping (key: value)", array = "a list", null = "empty" }
  kind_types              = { string = ["string"], mapping = ["object"], list = ["array"], bool = ["boolean"], null = ["null"] }

  # ---- The walk: each value of the file with the subschema that applies to it and how to name it.
  # Names follow the validator's paths, except that a scope is named by its name when it has a
  # valid, unique one: `scope "prod": match.regions[0]`.
  data = local.decoded

  scope_list = [for scope in try(local.data.scopes, []) : scope if substr(jsonencode(try(local.data.scopes, null)), 0, 1) == "["]
  scope_name_values = [
    for scope in local.scope_list : try(
      substr(jsonencode(scope.name), 0, 1) == "\"" ? scope.name : null,
      null,
    )
  ]
  scope_subjects = [
    for index, name in local.scope_name_values : (
      name != null && can(regex("^[A-Za-z0-9_-]{1,64}$", coalesce(name, " "))) &&
      !contains([for earlier in slice(local.scope_name_values, 0, index) : earlier == null ? "\n" : lower(earlier)], lower(coalesce(name, " ")))
      ? "scope ${jsonencode(name)}" : "scopes[${index}]"
    )
  ]

  # A file that is missing or not YAML is reported by the calling module's variable validation.
  walk_0 = [for value in [local.data] : { subject = "the rules file", prefix = "", ptr = "#", value = value } if local.readable]
  walk_1 = flatten([for node in local.walk_0 : concat(
    [for key in try(keys(node.value), []) : {
      subject = can(regex("^[A-Za-z_][A-Za-z0-9_]*$", key)) ? "${node.prefix}${key}" : "${trimsuffix(node.prefix, ".")}[${jsonencode(key)}]"
      prefix  = can(regex("^[A-Za-z_][A-Za-z0-9_]*$", key)) ? "${node.prefix}${key}." : "${trimsuffix(node.prefix, ".")}[${jsonencode(key)}]."
      ptr     = lookup(local.schemas[node.ptr].properties, key, local.schemas[node.ptr].additional)
      value   = node.value[key]
    } if lookup(local.schemas[node.ptr].properties, key, local.schemas[node.ptr].additional) != null],
    [for index in range(substr(jsonencode(node.value), 0, 1) == "[" && local.schemas[node.ptr].items != null ? length(node.value) : 0) : {
      subject = node.ptr == "#/properties/scopes" ? local.scope_subjects[index] : "${trimsuffix(node.prefix, ".")}[${index}]"
      prefix  = node.ptr == "#/properties/scopes" ? "${local.scope_subjects[index]}: " : "${trimsuffix(node.prefix, ".")}[${index}]."
      ptr     = local.schemas[node.ptr].items
      value   = node.value[index]
    }],
  )])
  walk_2 = flatten([for node in local.walk_1 : concat(
    [for key in try(keys(node.value), []) : {
      subject = can(regex("^[A-Za-z_][A-Za-z0-9_]*$", key)) ? "${node.prefix}${key}" : "${trimsuffix(node.prefix, ".")}[${jsonencode(key)}]"
      prefix  = can(regex("^[A-Za-z_][A-Za-z0-9_]*$", key)) ? "${node.prefix}${key}." : "${trimsuffix(node.prefix, ".")}[${jsonencode(key)}]."
      ptr     = lookup(local.schemas[node.ptr].properties, key, local.schemas[node.ptr].additional)
      value   = node.value[key]
    } if lookup(local.schemas[node.ptr].properties, key, local.schemas[node.ptr].additional) != null],
    [for index in range(substr(jsonencode(node.value), 0, 1) == "[" && local.schemas[node.ptr].items != null ? length(node.value) : 0) : {
      subject = node.ptr == "#/properties/scopes" ? local.scope_subjects[index] : "${trimsuffix(node.prefix, ".")}[${index}]"
      prefix  = node.ptr == "#/properties/scopes" ? "${local.scope_subjects[index]}: " : "${trimsuffix(node.prefix, ".")}[${index}]."
      ptr     = local.schemas[node.ptr].items
      value   = node.value[index]
    }],
  )])
  walk_3 = flatten([for node in local.walk_2 : concat(
    [for key in try(keys(node.value), []) : {
      subject = can(regex("^[A-Za-z_][A-Za-z0-9_]*$", key)) ? "${node.prefix}${key}" : "${trimsuffix(node.prefix, ".")}[${jsonencode(key)}]"
      prefix  = can(regex("^[A-Za-z_][A-Za-z0-9_]*$", key)) ? "${node.prefix}${key}." : "${trimsuffix(node.prefix, ".")}[${jsonencode(key)}]."
      ptr     = lookup(local.schemas[node.ptr].properties, key, local.schemas[node.ptr].additional)
      value   = node.value[key]
    } if lookup(local.schemas[node.ptr].properties, key, local.schemas[node.ptr].additional) != null],
    [for index in range(substr(jsonencode(node.value), 0, 1) == "[" && local.schemas[node.ptr].items != null ? length(node.value) : 0) : {
      subject = node.ptr == "#/properties/scopes" ? local.scope_subjects[index] : "${trimsuffix(node.prefix, ".")}[${index}]"
      prefix  = node.ptr == "#/properties/scopes" ? "${local.scope_subjects[index]}: " : "${trimsuffix(node.prefix, ".")}[${index}]."
      ptr     = local.schemas[node.ptr].items
      value   = node.value[index]
    }],
  )])
  walk_4 = flatten([for node in local.walk_3 : concat(
    [for key in try(keys(node.value), []) : {
      subject = can(regex("^[A-Za-z_][A-Za-z0-9_]*$", key)) ? "${node.prefix}${key}" : "${trimsuffix(node.prefix, ".")}[${jsonencode(key)}]"
      prefix  = can(regex("^[A-Za-z_][A-Za-z0-9_]*$", key)) ? "${node.prefix}${key}." : "${trimsuffix(node.prefix, ".")}[${jsonencode(key)}]."
      ptr     = lookup(local.schemas[node.ptr].properties, key, local.schemas[node.ptr].additional)
      value   = node.value[key]
    } if lookup(local.schemas[node.ptr].properties, key, local.schemas[node.ptr].additional) != null],
    [for index in range(substr(jsonencode(node.value), 0, 1) == "[" && local.schemas[node.ptr].items != null ? length(node.value) : 0) : {
      subject = node.ptr == "#/properties/scopes" ? local.scope_subjects[index] : "${trimsuffix(node.prefix, ".")}[${index}]"
      prefix  = node.ptr == "#/properties/scopes" ? "${local.scope_subjects[index]}: " : "${trimsuffix(node.prefix, ".")}[${index}]."
      ptr     = local.schemas[node.ptr].items
      value   = node.value[index]
    }],
  )])
  walk_5 = flatten([for node in local.walk_4 : concat(
    [for key in try(keys(node.value), []) : {
      subject = can(regex("^[A-Za-z_][A-Za-z0-9_]*$", key)) ? "${node.prefix}${key}" : "${trimsuffix(node.prefix, ".")}[${jsonencode(key)}]"
      prefix  = can(regex("^[A-Za-z_][A-Za-z0-9_]*$", key)) ? "${node.prefix}${key}." : "${trimsuffix(node.prefix, ".")}[${jsonencode(key)}]."
      ptr     = lookup(local.schemas[node.ptr].properties, key, local.schemas[node.ptr].additional)
      value   = node.value[key]
    } if lookup(local.schemas[node.ptr].properties, key, local.schemas[node.ptr].additional) != null],
    [for index in range(substr(jsonencode(node.value), 0, 1) == "[" && local.schemas[node.ptr].items != null ? length(node.value) : 0) : {
      subject = node.ptr == "#/properties/scopes" ? local.scope_subjects[index] : "${trimsuffix(node.prefix, ".")}[${index}]"
      prefix  = node.ptr == "#/properties/scopes" ? "${local.scope_subjects[index]}: " : "${trimsuffix(node.prefix, ".")}[${index}]."
      ptr     = local.schemas[node.ptr].items
      value   = node.value[index]
    }],
  )])
  walk_6 = flatten([for node in local.walk_5 : concat(
    [for key in try(keys(node.value), []) : {
      subject = can(regex("^[A-Za-z_][A-Za-z0-9_]*$", key)) ? "${node.prefix}${key}" : "${trimsuffix(node.prefix, ".")}[${jsonencode(key)}]"
      prefix  = can(regex("^[A-Za-z_][A-Za-z0-9_]*$", key)) ? "${node.prefix}${key}." : "${trimsuffix(node.prefix, ".")}[${jsonencode(key)}]."
      ptr     = lookup(local.schemas[node.ptr].properties, key, local.schemas[node.ptr].additional)
      value   = node.value[key]
    } if lookup(local.schemas[node.ptr].properties, key, local.schemas[node.ptr].additional) != null],
    [for index in range(substr(jsonencode(node.value), 0, 1) == "[" && local.schemas[node.ptr].items != null ? length(node.value) : 0) : {
      subject = node.ptr == "#/properties/scopes" ? local.scope_subjects[index] : "${trimsuffix(node.prefix, ".")}[${index}]"
      prefix  = node.ptr == "#/properties/scopes" ? "${local.scope_subjects[index]}: " : "${trimsuffix(node.prefix, ".")}[${index}]."
      ptr     = local.schemas[node.ptr].items
      value   = node.value[index]
    }],
  )])

  # Every value with its kind, whether the schema's type allows it, and how it reads in a
  # problem: strings quoted, numbers as they are.
  walked = [
    for node in concat(local.walk_0, local.walk_1, local.walk_2, local.walk_3, local.walk_4, local.walk_5, local.walk_6) : {
      subject = node.subject
      schema  = local.schemas[node.ptr]
      value   = node.value
      kind    = lookup(local.kind_by_first_character, substr(jsonencode(node.value), 0, 1), "number")
      whole   = try(floor(node.value) == node.value, false)
      shown = lookup({
        "\"" = jsonencode(node.value), "{" = "a mapping", "[" = "a list", "n" = "empty"
      }, substr(jsonencode(node.value), 0, 1), jsonencode(node.value))
    }
  ]
  typed = [
    for node in local.walked : merge(node, {
      type_ok = length(node.schema.types) == 0 || (
        node.kind == "number"
        ? contains(node.schema.types, "number") || (contains(node.schema.types, "integer") && node.whole)
        : length(setintersection(node.schema.types, local.kind_types[node.kind])) > 0
      )
    })
  ]

  # ---- What the schema says, value by value.
  schema_problems = flatten([
    for node in local.typed : (
      # The type first: nothing else is checked on a value of the wrong type.
      !node.type_ok ? [
        node.kind == "number" && contains(node.schema.types, "integer")
        ? "${node.subject} must be a whole number, not ${node.shown}"
        : node.schema.types == ["string"] && contains(["number", "bool"], node.kind)
        ? "${node.subject} must be a string, not ${node.shown}; quote it: \"${node.shown}\""
        : node.subject == "the rules file" && node.kind == "null"
        ? "the rules file is empty; it needs at least \"version: 1\" and \"scopes\""
        : "${node.subject} must be ${join(" or ", [for type in node.schema.types : local.type_words[type] if type != "null"])}, not ${node.shown}"
      ]
      : concat(
        node.kind == "number" && (
          (node.schema.minimum != null && try(node.value < node.schema.minimum, false)) ||
          (node.schema.maximum != null && try(node.value > node.schema.maximum, false))
          ) ? [
          "${node.subject} (${node.shown}) must be ${node.schema.minimum != null && node.schema.maximum != null ? "between ${node.schema.minimum} and ${node.schema.maximum}" : node.schema.minimum != null ? "at least ${node.schema.minimum}" : "at most ${node.schema.maximum}"}",
        ] : [],
        node.schema.const != null && jsonencode(node.value) != node.schema.const ? ["${node.subject} must be ${node.schema.const}, not ${node.shown}"] : [],
        node.schema.enum != null && !contains(coalesce(node.schema.enum, []), jsonencode(node.value)) ? [
          "${node.subject} (${node.shown}) must be ${join(" or ", [for value in coalesce(node.schema.enum, []) : trim(value, "\"")])}",
        ] : [],
        node.kind == "string" && node.schema.min_length != null && try(length(node.value) < node.schema.min_length, false) ? ["${node.subject} must not be empty"] : [],
        node.kind == "string" && node.schema.pattern != null && try(length(node.value) >= coalesce(node.schema.min_length, 0), true) && !can(regex(coalesce(node.schema.pattern, ""), node.value)) ? [
          "${node.subject} (${node.shown}) must match the pattern ${node.schema.pattern}",
        ] : [],
        node.kind == "list" && node.schema.min_items != null && try(length(node.value) < node.schema.min_items, false) ? [
          node.subject == "scopes" ? "scopes is empty; define at least one scope" : "${node.subject} is an empty list, which would match nothing; list at least one value or remove it",
        ] : [],
        node.kind == "mapping" && node.schema.min_properties != null && try(length(node.value) < node.schema.min_properties, false) ? [
          "${node.subject} is empty, which would exclude every resource; give at least one condition or remove it",
        ] : [],
        node.kind == "mapping" ? [
          for key in node.schema.required : "${node.subject} is missing the required key \"${key}\"" if !contains(keys(node.value), key)
        ] : [],
        node.kind == "mapping" && node.schema.closed ? [
          for key in keys(node.value) : "${node.subject} has an unknown key ${jsonencode(key)}" if !contains(keys(node.schema.properties), key)
        ] : [],
      )
    )
  ])
}
