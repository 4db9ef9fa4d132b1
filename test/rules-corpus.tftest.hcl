# The validator's corpus of rules files, planned by Terraform (modules/rules): every file the
# validator accepts passes, every file it refuses fails the plan. Each readable bad file lists the
# problems plan reports, naming the scope and the field; a file Terraform cannot decode at all is
# refused by the module's rules_file validation (see validation.tftest.hcl). test/terraform.sh
# fails when a file of lambda/test/fixtures/rules has no run here.
#
# test/fixtures/rules/validator-only holds what plan cannot see and the build refuses: a duplicate
# YAML key (yamldecode keeps the last one silently) and a resource type one edit away from a known
# one. A failed build leaves the deployed alarms as they were (README, Build and redeploy).

run "invalid_bad_cidr" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "lambda/test/fixtures/rules/invalid/bad-cidr.yaml"
  }

  assert {
    condition = output.problems == [
      "scope \"cidrs\": match.cidrWithin[7] must be a string, not 10; quote it: \"10\"",
      "scope \"cidrs\": match.cidrWithin[1]: \"10.0.0.1/8\" is not a valid CIDR: host bits are set; the network is 10.0.0.0/8",
      "scope \"cidrs\": match.cidrWithin[2]: \"10.0.0.0\" is not a valid CIDR: missing \"/prefix\" (for example 10.0.0.0/16)",
      "scope \"cidrs\": match.cidrWithin[3]: \"10.0.0.0/33\" is not a valid CIDR: prefix \"33\" must be a whole number from 0 to 32 for ipv4",
      "scope \"cidrs\": match.cidrWithin[4]: \"256.0.0.0/8\" is not a valid CIDR: \"256.0.0.0\" is not an IPv4 address (four numbers from 0 to 255, without leading zeros)",
      "scope \"cidrs\": match.cidrWithin[5]: \"2600:1f18::/129\" is not a valid CIDR: prefix \"129\" must be a whole number from 0 to 128 for ipv6",
      "scope \"cidrs\": match.cidrWithin[6]: \"2600:1f18:::/32\" is not a valid CIDR: \"2600:1f18:::\" is not an IPv6 address",
    ]
    error_message = "Plan reports other problems for bad-cidr.yaml: ${jsonencode(output.problems)}"
  }
}

run "invalid_bad_glob" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "lambda/test/fixtures/rules/invalid/bad-glob.yaml"
  }

  assert {
    condition = output.problems == [
      "scope \"globs\": match.names[4] must not be empty",
      "scope \"globs\": match.names[0] (\"prod-[ab\") is not a valid glob: a \"[\" is never closed with \"]\" (a \"]\" right after \"[\" is one of the characters, not the end)",
      "scope \"globs\": match.names[2] (\"tail\\\\\") is not a valid glob: it ends with a \"\\\" that escapes nothing (write \"\\\\\" for a backslash)",
      "scope \"globs\": match.names[3] (\"[z-a]\") is not a valid glob: the range \"z-a\" goes backwards",
      "scope \"globs\": match.tags[\"team\"] (\"[!\") is not a valid glob: a \"[\" is never closed with \"]\" (a \"]\" right after \"[\" is one of the characters, not the end)",
      "scope \"globs\": exclude.tags[\"tier\"] (\"[]\") is not a valid glob: a \"[\" is never closed with \"]\" (a \"]\" right after \"[\" is one of the characters, not the end)",
    ]
    error_message = "Plan reports other problems for bad-glob.yaml: ${jsonencode(output.problems)}"
  }
}

run "invalid_bad_scope_name" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "lambda/test/fixtures/rules/invalid/bad-scope-name.yaml"
  }

  assert {
    condition = output.problems == [
      "scopes[0]: name (\"prod subnets\") must match the pattern ^[A-Za-z0-9_-]{1,64}$",
      "scopes[1]: name (\"a-name-that-is-far-too-long-to-be-a-cloudwatch-dimension-value-and-alarm-name\") must match the pattern ^[A-Za-z0-9_-]{1,64}$",
      "scopes[2]: name must be a string, not 2024; quote it: \"2024\"",
      "scopes[3]: name (\"prod/eu\") must match the pattern ^[A-Za-z0-9_-]{1,64}$",
      "scopes[4]: name (\"\") must match the pattern ^[A-Za-z0-9_-]{1,64}$",
    ]
    error_message = "Plan reports other problems for bad-scope-name.yaml: ${jsonencode(output.problems)}"
  }
}

run "invalid_capacity_thresholds" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "lambda/test/fixtures/rules/invalid/capacity-thresholds.yaml"
  }

  assert {
    condition = output.problems == [
      "scope \"not-a-flag\": capacity must be true or false, not \"yes\"",
      "scope \"fractions\": thresholds.minAssignableWarning (-1) must be at least 0",
      "scope \"fractions\": thresholds.minFreePrefixesWarning must be a whole number, not 2.5",
      "scope \"order\": thresholds.minFreePrefixesWarning (2) must be above thresholds.minFreePrefixesCritical (4)",
      "scope \"order\": thresholds.minZoneFreeWarning (100) must be above thresholds.minZoneFreeCritical (100)",
      "scope \"no-opt-in\": thresholds.minFreePrefixesWarning needs capacity: true on the scope: free prefixes and assignable addresses are measured only for scopes that opt in (reading interfaces and reservations costs API calls)",
      "scope \"no-opt-in\": thresholds.minAssignableCritical needs capacity: true on the scope: free prefixes and assignable addresses are measured only for scopes that opt in (reading interfaces and reservations costs API calls)",
    ]
    error_message = "Plan reports other problems for capacity-thresholds.yaml: ${jsonencode(output.problems)}"
  }
}

run "invalid_dangling_alias" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "lambda/test/fixtures/rules/invalid/dangling-alias.yaml"
  }

  assert {
    condition     = !output.readable && output.problems == []
    error_message = "Terraform decodes dangling-alias.yaml, which the validator refuses as YAML: ${jsonencode(output.problems)}"
  }
}

run "invalid_defaults_order" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "lambda/test/fixtures/rules/invalid/defaults-order.yaml"
  }

  assert {
    condition = output.problems == [
      "defaults.thresholds.warning (90) must be below defaults.thresholds.critical (85)",
      "defaults.thresholds.minFreeWarning (10) must be above defaults.thresholds.minFreeCritical (20)",
    ]
    error_message = "Plan reports other problems for defaults-order.yaml: ${jsonencode(output.problems)}"
  }
}

run "invalid_duplicate_scope_name" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "lambda/test/fixtures/rules/invalid/duplicate-scope-name.yaml"
  }

  assert {
    condition = output.problems == [
      "scopes[2]: name \"prod\" is already the name of scopes[0]; scope names must be unique",
      "scopes[3]: name \"dev\" is already the name of scopes[1]; scope names must be unique",
    ]
    error_message = "Plan reports other problems for duplicate-scope-name.yaml: ${jsonencode(output.problems)}"
  }
}

run "invalid_duplicate_yaml_key" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "lambda/test/fixtures/rules/invalid/duplicate-yaml-key.yaml"
  }

  assert {
    condition = output.problems == [
      "scopes is empty; define at least one scope",
    ]
    error_message = "Plan reports other problems for duplicate-yaml-key.yaml: ${jsonencode(output.problems)}"
  }
}

run "invalid_empty_conditions" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "lambda/test/fixtures/rules/invalid/empty-conditions.yaml"
  }

  assert {
    condition = output.problems == [
      "scope \"empty-lists\": exclude is empty, which would exclude every resource; give at least one condition or remove it",
      "scope \"null-exclude\": exclude must be a mapping (key: value), not empty",
      "scope \"empty-lists\": match.accounts is an empty list, which would match nothing; list at least one value or remove it",
      "scope \"empty-lists\": match.regions is an empty list, which would match nothing; list at least one value or remove it",
    ]
    error_message = "Plan reports other problems for empty-conditions.yaml: ${jsonencode(output.problems)}"
  }
}

run "invalid_empty_scopes" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "lambda/test/fixtures/rules/invalid/empty-scopes.yaml"
  }

  assert {
    condition = output.problems == [
      "scopes is empty; define at least one scope",
    ]
    error_message = "Plan reports other problems for empty-scopes.yaml: ${jsonencode(output.problems)}"
  }
}

run "invalid_empty" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "lambda/test/fixtures/rules/invalid/empty.yaml"
  }

  assert {
    condition     = !output.readable && output.problems == []
    error_message = "Terraform decodes empty.yaml, which the validator refuses as YAML: ${jsonencode(output.problems)}"
  }
}

run "invalid_id_formats" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "lambda/test/fixtures/rules/invalid/id-formats.yaml"
  }

  assert {
    condition = output.problems == [
      "scope \"ids\": match.addressFamily (\"ipv5\") must be ipv4 or ipv6",
      "scope \"ids\": match.regions[0] (\"us-east-1a\") must match the pattern ^[a-z]{2}(-[a-z]+)+-[0-9]+$",
      "scope \"ids\": match.regions[1] (\"US-EAST-1\") must match the pattern ^[a-z]{2}(-[a-z]+)+-[0-9]+$",
      "scope \"ids\": match.regions[2] (\"useast1\") must match the pattern ^[a-z]{2}(-[a-z]+)+-[0-9]+$",
      "scope \"ids\": match.resourceIds[0] (\"subnet 0abc\") must match the pattern ^\\S+$",
      "scope \"ids\": match.vpcIds[0] (\"0abc\") must match the pattern ^vpc-[0-9a-f]+$",
      "scope \"ids\": match.vpcIds[1] (\"vpc-XYZ\") must match the pattern ^vpc-[0-9a-f]+$",
      "scope \"ids\": match.vpcIds[2] (\"subnet-0abc\") must match the pattern ^vpc-[0-9a-f]+$",
    ]
    error_message = "Plan reports other problems for id-formats.yaml: ${jsonencode(output.problems)}"
  }
}

run "invalid_min_utilization_order" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "lambda/test/fixtures/rules/invalid/min-utilization-order.yaml"
  }

  assert {
    condition = output.problems == [
      "scope \"both-here\": thresholds.minUtilizationWarning (1) must be at least thresholds.minUtilizationCritical (5)",
      "scope \"critical-here\": thresholds.minUtilizationCritical (10) must be at most thresholds.minUtilizationWarning (5, from defaults)",
      "scope \"warning-here\": thresholds.minUtilizationWarning (1) must be at least thresholds.minUtilizationCritical (2, from defaults)",
    ]
    error_message = "Plan reports other problems for min-utilization-order.yaml: ${jsonencode(output.problems)}"
  }
}

run "invalid_min_utilization_values" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "lambda/test/fixtures/rules/invalid/min-utilization-values.yaml"
  }

  assert {
    condition     = !output.readable && output.problems == []
    error_message = "Terraform decodes min-utilization-values.yaml, which the validator refuses as YAML: ${jsonencode(output.problems)}"
  }
}

run "invalid_missing_name" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "lambda/test/fixtures/rules/invalid/missing-name.yaml"
  }

  assert {
    condition = output.problems == [
      "scopes[2] is missing the required key \"name\"",
    ]
    error_message = "Plan reports other problems for missing-name.yaml: ${jsonencode(output.problems)}"
  }
}

run "invalid_multiple_documents" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "lambda/test/fixtures/rules/invalid/multiple-documents.yaml"
  }

  assert {
    condition     = !output.readable && output.problems == []
    error_message = "Terraform decodes multiple-documents.yaml, which the validator refuses as YAML: ${jsonencode(output.problems)}"
  }
}

run "invalid_no_thresholds" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "lambda/test/fixtures/rules/invalid/no-thresholds.yaml"
  }

  assert {
    condition = output.problems == [
      "scope \"never-alarms\" has no thresholds here or in defaults.thresholds, so it could never alarm",
      "scope \"empty-thresholds\" has no thresholds here or in defaults.thresholds, so it could never alarm",
    ]
    error_message = "Plan reports other problems for no-thresholds.yaml: ${jsonencode(output.problems)}"
  }
}

run "invalid_not_a_mapping" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "lambda/test/fixtures/rules/invalid/not-a-mapping.yaml"
  }

  assert {
    condition = output.problems == [
      "the rules file must be a mapping (key: value), not a list",
    ]
    error_message = "Plan reports other problems for not-a-mapping.yaml: ${jsonencode(output.problems)}"
  }
}

run "invalid_resource_type_typo" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "lambda/test/fixtures/rules/invalid/resource-type-typo.yaml"
  }

  assert {
    condition = output.problems == [
      "scope \"types\": match.resourceTypes[1] (\"Subnet\") must match the pattern ^[a-z0-9]+(-[a-z0-9]+)*$",
      "scope \"types\": match.resourceTypes[6] (\"EIP\") must match the pattern ^[a-z0-9]+(-[a-z0-9]+)*$",
      "scope \"types\": match.resourceTypes[7] (\"public_ipv4_pool\") must match the pattern ^[a-z0-9]+(-[a-z0-9]+)*$",
    ]
    error_message = "Plan reports other problems for resource-type-typo.yaml: ${jsonencode(output.problems)}"
  }
}

run "invalid_string_numbers" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "lambda/test/fixtures/rules/invalid/string-numbers.yaml"
  }

  assert {
    condition = output.problems == [
      "defaults.thresholds.critical (-5) must be between 0 and 100",
      "defaults.thresholds.warning must be a number, not \"80\"",
      "scope \"quoted\": thresholds.minFreeWarning must be a whole number, not \"100\"",
      "scope \"fraction\": thresholds.minFreeCritical must be a whole number, not 2.5",
    ]
    error_message = "Plan reports other problems for string-numbers.yaml: ${jsonencode(output.problems)}"
  }
}

run "invalid_threshold_order" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "lambda/test/fixtures/rules/invalid/threshold-order.yaml"
  }

  assert {
    condition = output.problems == [
      "scope \"both-here\": thresholds.warning (90) must be below thresholds.critical (80)",
      "scope \"equal\": thresholds.warning (80) must be below thresholds.critical (80)",
      "scope \"warning-here\": thresholds.warning (85) must be below thresholds.critical (85, from defaults)",
      "scope \"critical-here\": thresholds.critical (60) must be above thresholds.warning (70, from defaults)",
      "scope \"free-both-here\": thresholds.minFreeWarning (10) must be above thresholds.minFreeCritical (25)",
      "scope \"free-critical-here\": thresholds.minFreeCritical (50) must be below thresholds.minFreeWarning (50, from defaults)",
      "scope \"free-warning-here\": thresholds.minFreeWarning (5) must be above thresholds.minFreeCritical (10, from defaults)",
    ]
    error_message = "Plan reports other problems for threshold-order.yaml: ${jsonencode(output.problems)}"
  }
}

run "invalid_threshold_values" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "lambda/test/fixtures/rules/invalid/threshold-values.yaml"
  }

  assert {
    condition     = !output.readable && output.problems == []
    error_message = "Terraform decodes threshold-values.yaml, which the validator refuses as YAML: ${jsonencode(output.problems)}"
  }
}

run "invalid_unknown_keys" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "lambda/test/fixtures/rules/invalid/unknown-keys.yaml"
  }

  assert {
    condition = output.problems == [
      "defaults has an unknown key \"threshold\"",
      "scope \"prod-subnets\" has an unknown key \"critical\"",
      "scope \"prod-subnets\" has an unknown key \"excludes\"",
      "scope \"prod-subnets\" has an unknown key \"foo\"",
      "scope \"prod-subnets\" has an unknown key \"regions\"",
      "scope \"prod-subnets\": match has an unknown key \"region\"",
      "scope \"prod-subnets\": match has an unknown key \"resourceType\"",
      "scope \"prod-subnets\": thresholds has an unknown key \"critcal\"",
    ]
    error_message = "Plan reports other problems for unknown-keys.yaml: ${jsonencode(output.problems)}"
  }
}

run "invalid_unquoted_account" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "lambda/test/fixtures/rules/invalid/unquoted-account.yaml"
  }

  assert {
    condition = output.problems == [
      "scope \"accounts\": match.accounts[1] must be a string, not 111122223333; quote it: \"111122223333\"",
      "scope \"accounts\": match.accounts[2] must be a string, not 12345678901; quote it: \"12345678901\"",
      "scope \"accounts\": match.accounts[3] (\"11112222333\") must match the pattern ^[0-9]{12}$",
      "scope \"accounts\": match.accounts[4] (\"1111-2222-3333\") must match the pattern ^[0-9]{12}$",
    ]
    error_message = "Plan reports other problems for unquoted-account.yaml: ${jsonencode(output.problems)}"
  }
}

run "invalid_unquoted_star_glob" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "lambda/test/fixtures/rules/invalid/unquoted-star-glob.yaml"
  }

  assert {
    condition     = !output.readable && output.problems == []
    error_message = "Terraform decodes unquoted-star-glob.yaml, which the validator refuses as YAML: ${jsonencode(output.problems)}"
  }
}

run "invalid_version_and_root_keys" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "lambda/test/fixtures/rules/invalid/version-and-root-keys.yaml"
  }

  assert {
    condition = output.problems == [
      "the rules file is missing the required key \"scopes\"",
      "the rules file has an unknown key \"scope\"",
      "the rules file has an unknown key \"thresholds\"",
      "version must be 1, not 2",
    ]
    error_message = "Plan reports other problems for version-and-root-keys.yaml: ${jsonencode(output.problems)}"
  }
}

run "invalid_wrong_types" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "lambda/test/fixtures/rules/invalid/wrong-types.yaml"
  }

  assert {
    condition = output.problems == [
      "defaults must be a mapping (key: value), not a list",
      "scopes[1] must be a mapping (key: value), not empty",
      "scope \"types\": description must be a string, not 42; quote it: \"42\"",
      "scope \"types\": match must be a mapping (key: value), not a list",
      "scope \"types\": resourceMetrics must be true or false, not \"yes\"",
      "scope \"types\": thresholds must be a mapping (key: value), not 80",
      "scope \"more-types\": match.addressFamily (\"IPv4\") must be ipv4 or ipv6",
      "scope \"more-types\": match.regions must be a list, not \"us-east-1\"",
      "scope \"more-types\": match.tags must be a mapping (key: value), not a list",
      "scope \"more-types\": match.names[0] must be a string, not true; quote it: \"true\"",
    ]
    error_message = "Plan reports other problems for wrong-types.yaml: ${jsonencode(output.problems)}"
  }
}

run "invalid_yaml_syntax" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "lambda/test/fixtures/rules/invalid/yaml-syntax.yaml"
  }

  assert {
    condition     = !output.readable && output.problems == []
    error_message = "Terraform decodes yaml-syntax.yaml, which the validator refuses as YAML: ${jsonencode(output.problems)}"
  }
}

run "valid_anchors" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "lambda/test/fixtures/rules/valid/anchors.yaml"
  }

  assert {
    condition     = output.readable && output.problems == []
    error_message = "Plan refuses anchors.yaml, which the build accepts: ${jsonencode(output.problems)}"
  }
}

run "valid_empty_match" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "lambda/test/fixtures/rules/valid/empty-match.yaml"
  }

  assert {
    condition     = output.readable && output.problems == []
    error_message = "Plan refuses empty-match.yaml, which the build accepts: ${jsonencode(output.problems)}"
  }
}

run "valid_full_sample" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "lambda/test/fixtures/rules/valid/full-sample.yaml"
  }

  assert {
    condition     = output.readable && output.problems == []
    error_message = "Plan refuses full-sample.yaml, which the build accepts: ${jsonencode(output.problems)}"
  }
}

run "valid_globs" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "lambda/test/fixtures/rules/valid/globs.yaml"
  }

  assert {
    condition     = output.readable && output.problems == []
    error_message = "Plan refuses globs.yaml, which the build accepts: ${jsonencode(output.problems)}"
  }
}

run "valid_idle_addresses" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "lambda/test/fixtures/rules/valid/idle-addresses.yaml"
  }

  assert {
    condition     = output.readable && output.problems == []
    error_message = "Plan refuses idle-addresses.yaml, which the build accepts: ${jsonencode(output.problems)}"
  }
}

run "valid_ipv6_pool" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "lambda/test/fixtures/rules/valid/ipv6-pool.yaml"
  }

  assert {
    condition     = output.readable && output.problems == []
    error_message = "Plan refuses ipv6-pool.yaml, which the build accepts: ${jsonencode(output.problems)}"
  }
}

run "valid_min_free_only" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "lambda/test/fixtures/rules/valid/min-free-only.yaml"
  }

  assert {
    condition     = output.readable && output.problems == []
    error_message = "Plan refuses min-free-only.yaml, which the build accepts: ${jsonencode(output.problems)}"
  }
}

run "valid_minimal" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "lambda/test/fixtures/rules/valid/minimal.yaml"
  }

  assert {
    condition     = output.readable && output.problems == []
    error_message = "Plan refuses minimal.yaml, which the build accepts: ${jsonencode(output.problems)}"
  }
}

run "valid_multi_account" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "lambda/test/fixtures/rules/valid/multi-account.yaml"
  }

  assert {
    condition     = output.readable && output.problems == []
    error_message = "Plan refuses multi-account.yaml, which the build accepts: ${jsonencode(output.problems)}"
  }
}

run "valid_newer_resource_types" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "lambda/test/fixtures/rules/valid/newer-resource-types.yaml"
  }

  assert {
    condition     = output.readable && output.problems == []
    error_message = "Plan refuses newer-resource-types.yaml, which the build accepts: ${jsonencode(output.problems)}"
  }
}

run "valid_no_defaults" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "lambda/test/fixtures/rules/valid/no-defaults.yaml"
  }

  assert {
    condition     = output.readable && output.problems == []
    error_message = "Plan refuses no-defaults.yaml, which the build accepts: ${jsonencode(output.problems)}"
  }
}

run "validator_only_duplicate_key" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "test/fixtures/rules/validator-only/duplicate-key.yaml"
  }

  assert {
    condition     = output.readable && output.problems == []
    error_message = "Plan refuses duplicate-key.yaml, which the build accepts: ${jsonencode(output.problems)}"
  }
}

run "validator_only_resource_type_typo" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "test/fixtures/rules/validator-only/resource-type-typo.yaml"
  }

  assert {
    condition     = output.readable && output.problems == []
    error_message = "Plan refuses resource-type-typo.yaml, which the build accepts: ${jsonencode(output.problems)}"
  }
}

run "extra_case_only_names" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "test/fixtures/rules/case-only-names.yaml"
  }

  assert {
    condition = output.problems == [
      "scopes[1]: name \"Prod-Subnets\" differs only in case from the name of scopes[0]; scope names must differ in more than case, because alarm names and many tools ignore case",
      "scopes[2]: name \"PROD-SUBNETS\" differs only in case from the name of scopes[0]; scope names must differ in more than case, because alarm names and many tools ignore case",
    ]
    error_message = "Plan reports other problems for case-only-names.yaml: ${jsonencode(output.problems)}"
  }
}

run "invalid_days_to_full" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "lambda/test/fixtures/rules/invalid/days-to-full.yaml"
  }

  assert {
    condition = output.problems == [
      "scope \"too-soon\": thresholds.daysToFullCritical (0.5) must be between 1 and 3650",
      "scope \"empty-alternatives\": match.tags.env is an empty list, which would match nothing; list at least one value or remove it",
      "scope \"backwards\": thresholds.daysToFullWarning (7) must be above thresholds.daysToFullCritical (30)",
      "scope \"off-everywhere\" has no thresholds here or in defaults.thresholds, so it could never alarm",
      "forecast.minPoints (15) must be at most 14: forecast.windowDays (14) holds no more, so no resource would ever get a forecast",
      "forecast.minSpanDays (14) must be at most 13: forecast.windowDays (14) holds no more, so no resource would ever get a forecast",
    ]
    error_message = "Plan reports other problems for days-to-full.yaml: ${jsonencode(output.problems)}"
  }
}

run "valid_days_to_full" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "lambda/test/fixtures/rules/valid/days-to-full.yaml"
  }

  assert {
    condition     = output.readable && output.problems == []
    error_message = "Plan refuses days-to-full.yaml, which the build accepts: ${jsonencode(output.problems)}"
  }
}

run "valid_capacity" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "lambda/test/fixtures/rules/valid/capacity.yaml"
  }

  assert {
    condition     = output.readable && output.problems == []
    error_message = "Plan refuses capacity.yaml, which the build accepts: ${jsonencode(output.problems)}"
  }

  # The defaults' /28 levels reach only the scope that measures capacity.
  assert {
    condition = (
      output.scopes["eks-pods"].thresholds.minFreePrefixesWarning == 8 && output.scopes["eks-pods"].levels.critical == ["free /28 prefixes < 2", "assignable addresses < 16"] &&
      output.scopes["app-subnets"].thresholds.minFreePrefixesWarning == null && output.scopes["app-subnets"].levels.warning == ["utilization >= 80%"]
    )
    error_message = "Capacity levels from the defaults must apply to scopes with capacity: true only: ${jsonencode({ for name, scope in output.scopes : name => scope.levels })}"
  }
}

run "valid_switched_off" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "lambda/test/fixtures/rules/valid/switched-off.yaml"
  }

  assert {
    condition     = output.readable && output.problems == []
    error_message = "Plan refuses switched-off.yaml, which the build accepts: ${jsonencode(output.problems)}"
  }
}

run "invalid_deep_nesting" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "lambda/test/fixtures/rules/invalid/deep-nesting.yaml"
  }

  assert {
    condition = output.problems == [
      "scope \"deep\": match.tags.env[0] must be a string, not a list",
    ]
    error_message = "Plan reports other problems for deep-nesting.yaml: ${jsonencode(output.problems)}"
  }
}

run "invalid_scope_names_case" {
  command = plan

  module {
    source = "./modules/rules"
  }

  variables {
    rules_file = "lambda/test/fixtures/rules/invalid/scope-names-case.yaml"
  }

  assert {
    condition = output.problems == [
      "scopes[1]: name \"Prod-Subnets\" differs only in case from the name of scopes[0]; scope names must differ in more than case, because alarm names and many tools ignore case",
    ]
    error_message = "Plan reports other problems for scope-names-case.yaml: ${jsonencode(output.problems)}"
  }
}
