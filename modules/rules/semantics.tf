# What a schema cannot say, as lambda/src/rules/semantic.ts checks it: unique scope names (also when
# case is ignored), warning and critical in the order of their level pair, scopes that could never
# alarm, capacity thresholds without capacity: true, CIDRs and globs. Values of the wrong type are
# left to the schema checks (checks.tf).

locals {
  is_mapping = { for index, scope in local.scope_list : index => substr(jsonencode(scope), 0, 1) == "{" }

  # The defaults' thresholds by field (empty when the defaults are malformed, which is reported
  # by the schema checks); a field a scope sets, even to null, is the scope's own.
  defaults_raw   = try(local.data.defaults, null)
  defaults_known = local.defaults_raw == null || (substr(jsonencode(local.defaults_raw), 0, 1) == "{" && contains(["{", "n"], substr(jsonencode(try(local.defaults_raw.thresholds, null)), 0, 1)))
  default_values = local.defaults_known ? { for field in local.threshold_fields : field => try(local.defaults_raw.thresholds[field], null) } : {}

  order_words = {
    for pair in local.level_pairs : pair.warning => (
      pair.equal_allowed
      ? (pair.direction == "rising" ? { relation = "at most", inverse = "at least" } : { relation = "at least", inverse = "at most" })
      : (pair.direction == "rising" ? { relation = "below", inverse = "above" } : { relation = "above", inverse = "below" })
    )
  }

  # The levels of each pair: in the defaults, and in each scope merged over them.
  pair_levels = concat(
    [
      for pair in local.level_pairs : {
        subject      = "defaults"
        pair         = pair
        own_warning  = true
        own_critical = true
        warning      = lookup(local.default_values, pair.warning, null)
        critical     = lookup(local.default_values, pair.critical, null)
      }
    ],
    flatten([
      for index, scope in local.scope_list : [
        for pair in local.level_pairs : {
          subject      = local.scope_subjects[index]
          pair         = pair
          own_warning  = try(contains(keys(scope.thresholds), pair.warning), false)
          own_critical = try(contains(keys(scope.thresholds), pair.critical), false)
          warning      = try(contains(keys(scope.thresholds), pair.warning), false) ? scope.thresholds[pair.warning] : lookup(local.default_values, pair.warning, null)
          critical     = try(contains(keys(scope.thresholds), pair.critical), false) ? scope.thresholds[pair.critical] : lookup(local.default_values, pair.critical, null)
        }
      ] if local.is_mapping[index]
    ]),
  )

  # Only levels the schema accepts are compared (anything else is reported already). Terraform's
  # && does not short-circuit, hence try().
  compared = [
    for level in local.pair_levels : merge(level, {
      comparable = alltrue([
        for field, value in { (level.pair.warning) = level.warning, (level.pair.critical) = level.critical } : try(
          substr(jsonencode(value), 0, 1) != "n" &&
          lookup(local.kind_by_first_character, substr(jsonencode(value), 0, 1), "number") == "number" &&
          value >= coalesce(local.schemas["#/definitions/thresholds/properties/${field}"].minimum, value) &&
          value <= coalesce(local.schemas["#/definitions/thresholds/properties/${field}"].maximum, value) &&
          (contains(local.schemas["#/definitions/thresholds/properties/${field}"].types, "number") || floor(value) == value),
          false,
        )
      ])
      in_order = try(
        level.warning == level.critical ? level.pair.equal_allowed : (
          level.pair.direction == "rising" ? level.warning < level.critical : level.warning > level.critical
        ),
        true,
      )
    })
  ]

  # Reported once, where the conflict is written: at the scope's own warning when it sets one, else
  # at its own critical; a conflict within the defaults only at the defaults.
  order_problems = [
    for level in local.compared : (
      level.subject == "defaults"
      ? "defaults.thresholds.${level.pair.warning} (${level.warning}) must be ${local.order_words[level.pair.warning].relation} defaults.thresholds.${level.pair.critical} (${level.critical})"
      : level.own_warning
      ? "${level.subject}: thresholds.${level.pair.warning} (${level.warning}) must be ${local.order_words[level.pair.warning].relation} thresholds.${level.pair.critical} (${level.critical}${level.own_critical ? "" : ", from defaults"})"
      : "${level.subject}: thresholds.${level.pair.critical} (${level.critical}) must be ${local.order_words[level.pair.warning].inverse} thresholds.${level.pair.warning} (${level.warning}, from defaults)"
    ) if level.comparable && !level.in_order && (level.own_warning || level.own_critical)
  ]

  # A scope with no level at all, here or in the defaults, could never alarm. Not judged when the
  # defaults or the scope's thresholds are malformed.
  no_threshold_problems = [
    for index, scope in local.scope_list : "${local.scope_subjects[index]} has no thresholds here or in defaults.thresholds, so it could never alarm"
    if local.is_mapping[index] && local.defaults_known && contains(["{", "n"], substr(jsonencode(try(scope.thresholds, null)), 0, 1)) && alltrue([
      for field in local.threshold_fields : (
        try(contains(keys(scope.thresholds), field), false) ? try(scope.thresholds[field], null) : lookup(local.default_values, field, null)
      ) == null
    ])
  ]

  # Capacity thresholds a scope sets itself need capacity: true on it: only scopes that opt in read
  # the interfaces and reservations they are measured from (from defaults they apply to those that
  # do). The fields are lambda/src/rules/semantic.ts's CAPACITY_KEYS; the rules corpus keeps the two alike.
  capacity_fields = ["minFreePrefixesWarning", "minFreePrefixesCritical", "minAssignableWarning", "minAssignableCritical"]
  capacity_problems = flatten([
    for index, scope in local.scope_list : [
      for field in local.capacity_fields : "${local.scope_subjects[index]}: thresholds.${field} needs capacity: true on the scope: free prefixes and assignable addresses are measured only for scopes that opt in (reading interfaces and reservations costs API calls)"
      if try(scope.thresholds[field] != null, false)
    ] if local.is_mapping[index] && try(scope.capacity != true, true)
  ])

  # Unique names, also when case is ignored: alarm names and many tools do not tell "Prod" from "prod".
  # A line break stands for "no name": no name can hold one.
  lower_names = [for name in local.scope_name_values : name == null ? "\n" : lower(name)]
  name_problems = flatten([
    for index, name in local.scope_name_values : (
      name == null ? [] :
      contains(slice(local.scope_name_values, 0, index), name)
      ? ["scopes[${index}]: name ${jsonencode(name)} is already the name of scopes[${index(local.scope_name_values, name)}]; scope names must be unique"]
      : contains(slice(local.lower_names, 0, index), lower(name))
      ? ["scopes[${index}]: name ${jsonencode(name)} differs only in case from the name of scopes[${index(local.lower_names, lower(name))}]; scope names must differ in more than case, because alarm names and many tools ignore case"]
      : []
    )
  ])

  # ---- CIDRs and globs in match and exclude.
  condition_lists = flatten([
    for index, scope in local.scope_list : [
      for part in ["match", "exclude"] : [
        for key in ["cidrWithin", "names"] : {
          subject = "${local.scope_subjects[index]}: ${part}.${key}"
          key     = key
          items   = try([for item in scope[part][key] : item], [])
        } if substr(jsonencode(try(scope[part][key], null)), 0, 1) == "["
      ]
    ] if local.is_mapping[index]
  ])

  cidrs = flatten([
    for list in local.condition_lists : [
      for position, cidr in list.items : {
        subject = "${list.subject}[${position}]"
        text    = cidr
        parts   = split("/", cidr)
        family  = strcontains(cidr, ":") ? "ipv6" : "ipv4"
        bits    = strcontains(cidr, ":") ? 128 : 32
      } if substr(jsonencode(cidr), 0, 1) == "\""
    ] if list.key == "cidrWithin"
  ])
  ipv4_address = "^(0|[1-9][0-9]{0,2})(\\.(0|[1-9][0-9]{0,2})){3}$"
  checked_cidrs = [
    for cidr in local.cidrs : merge(cidr, {
      reason = (
        length(cidr.parts) != 2 ? "missing \"/prefix\" (for example 10.0.0.0/16)" :
        !can(regex("^(0|[1-9][0-9]*)$", cidr.parts[1])) || try(tonumber(cidr.parts[1]) > cidr.bits, true)
        ? "prefix \"${cidr.parts[1]}\" must be a whole number from 0 to ${cidr.bits} for ${cidr.family}" :
        !can(cidrhost("${cidr.parts[0]}/${cidr.bits}", 0)) || (cidr.family == "ipv4" && !can(regex(local.ipv4_address, cidr.parts[0])))
        ? "${jsonencode(cidr.parts[0])} is not an ${cidr.family == "ipv4" ? "IPv4 address (four numbers from 0 to 255, without leading zeros)" : "IPv6 address"}" :
        cidrhost(cidr.text, 0) != cidrhost("${cidr.parts[0]}/${cidr.bits}", 0)
        ? "host bits are set; the network is ${cidrhost(cidr.text, 0)}/${cidr.parts[1]}" : null
      )
    })
  ]
  cidr_problems = [
    for cidr in local.checked_cidrs : "${cidr.subject}: ${jsonencode(cidr.text)} is not a valid CIDR: ${cidr.reason}" if cidr.reason != null
  ]

  # Globs: items of names, and tag values (a glob or a list of globs). A "[" opens a class that a
  # "]" closes (a "]" right after "[" or "[!" is a member), "\" takes the next character
  # literally, and a range such as "a-z" must not go backwards. An empty tag glob matches an
  # empty value and is fine.
  globs = concat(
    flatten([
      for list in local.condition_lists : [
        for position, glob in list.items : { subject = "${list.subject}[${position}]", text = glob }
        if substr(jsonencode(glob), 0, 1) == "\"" && glob != ""
      ] if list.key == "names"
    ]),
    flatten([
      for index, scope in local.scope_list : [
        for part in ["match", "exclude"] : [
          for key, value in try(scope[part].tags, {}) : [
            for position, glob in flatten([value]) : {
              subject = (
                substr(jsonencode(value), 0, 1) == "["
                ? "${local.scope_subjects[index]}: ${part}.tags[${jsonencode(key)}][${position}]"
                : "${local.scope_subjects[index]}: ${part}.tags[${jsonencode(key)}]"
              )
              text = glob
            } if substr(jsonencode(glob), 0, 1) == "\"" && glob != ""
          ]
        ] if substr(jsonencode(try(scope[part].tags, null)), 0, 1) == "{"
      ] if local.is_mapping[index]
    ]),
  )
  # One token of a glob: an escaped character, a class, or any other character.
  glob_token  = "\\\\.|\\[[!^]?(?:\\\\.|[^\\\\])(?:\\\\.|[^\\]\\\\])*\\]|[^\\[\\\\]"
  glob_class  = "(?s)^\\[[!^]?(.*)\\]$"
  glob_member = "(?s)(\\\\.|[^\\\\])-(\\\\.|[^\\\\])|\\\\.|[^\\\\]"
  glob_problems = flatten([
    for glob in local.globs : (
      !can(regex("(?s)^(?:${local.glob_token})*$", glob.text))
      ? [
        "${glob.subject} (${jsonencode(glob.text)}) is not a valid glob: ${(
          endswith(glob.text, "\\") && can(regex("(?s)^(?:${local.glob_token})*$", trimsuffix(glob.text, "\\")))
          ? "it ends with a \"\\\" that escapes nothing (write \"\\\\\" for a backslash)"
          : "a \"[\" is never closed with \"]\" (a \"]\" right after \"[\" is one of the characters, not the end)"
        )}",
      ]
      : [
        for range in flatten([
          for token in regexall("(?s)${local.glob_token}", glob.text) : [
            for members in regexall(local.glob_member, regex(local.glob_class, token)[0]) : {
              low  = trimprefix(members[0], "\\")
              high = trimprefix(members[1], "\\")
            } if members[0] != null
          ] if startswith(token, "[")
        ]) : "${glob.subject} (${jsonencode(glob.text)}) is not a valid glob: the range \"${range.low}-${range.high}\" goes backwards"
        if range.low != range.high && sort([range.low, range.high])[0] != range.low
      ]
    )
  ])

  # A forecast needs more daily points, or a longer span, than its window holds: no resource would
  # ever get one. The window's default is the validator's (lambda/src/forecast/forecast.ts).
  forecast        = try(local.data.forecast, null)
  forecast_window = try(local.forecast.windowDays, 30)
  forecast_problems = lookup(local.kind_by_first_character, substr(jsonencode(local.forecast_window), 0, 1), "number") != "number" ? [] : [
    for key, bound in {
      minPoints   = local.forecast_window
      minSpanDays = local.forecast_window - 1
    } : "forecast.${key} (${local.forecast[key]}) must be at most ${bound}: forecast.windowDays (${local.forecast_window}) holds no more, so no resource would ever get a forecast"
    if try(local.forecast[key] > bound, false)
  ]

  problems = concat(
    local.schema_problems,
    local.name_problems,
    local.order_problems,
    local.no_threshold_problems,
    local.capacity_problems,
    local.cidr_problems,
    local.glob_problems,
    local.forecast_problems,
  )
}
