# Every validation block and precondition, each with an input that must fail it at plan time.

# Mock values from test/terraform/aws.tfmock.hcl, made known at plan time (Terraform 1.11+), so
# that ARNs inside policies and alarm actions can be asserted.
mock_provider "aws" {
  source          = "./test/terraform"
  override_during = plan
}

variables {
  rules_file = "test/fixtures/rules/one-scope.yaml"
}

run "rejects_a_name_with_spaces" {
  command = plan

  variables {
    name = "ipam monitor"
  }

  expect_failures = [var.name]
}

run "rejects_a_name_too_long_for_derived_names" {
  command = plan

  variables {
    name = "a-name-that-is-far-too-long-for-the-derived-resources"
  }

  expect_failures = [var.name]
}

run "rejects_a_missing_rules_file" {
  command = plan

  variables {
    rules_file = "test/fixtures/rules/does-not-exist.yaml"
  }

  expect_failures = [var.rules_file]
}

run "rejects_a_directory_as_rules_file" {
  command = plan

  variables {
    rules_file = "test/fixtures/rules"
  }

  expect_failures = [var.rules_file]
}

run "rejects_a_rules_file_that_is_not_yaml" {
  command = plan

  variables {
    rules_file = "test/fixtures/rules/not-yaml.yaml"
  }

  expect_failures = [var.rules_file]
}

run "rejects_a_rules_file_without_scopes" {
  command = plan

  variables {
    rules_file = "test/fixtures/rules/no-scopes.yaml"
  }

  expect_failures = [terraform_data.rules]
}

run "rejects_a_scope_name_that_cannot_be_a_dimension" {
  command = plan

  variables {
    rules_file = "test/fixtures/rules/bad-scope-name.yaml"
  }

  expect_failures = [terraform_data.rules]
}

run "rejects_a_scope_without_a_name" {
  command = plan

  variables {
    rules_file = "test/fixtures/rules/scope-without-name.yaml"
  }

  expect_failures = [terraform_data.rules]
}

run "rejects_duplicate_scope_names" {
  command = plan

  variables {
    rules_file = "test/fixtures/rules/duplicate-scope-names.yaml"
  }

  expect_failures = [terraform_data.rules]
}

run "rejects_an_empty_rules_file" {
  command = plan

  variables {
    rules_file = "lambda/test/fixtures/rules/invalid/empty.yaml"
  }

  expect_failures = [var.rules_file]
}

run "rejects_a_rules_file_of_several_yaml_documents" {
  command = plan

  variables {
    rules_file = "lambda/test/fixtures/rules/invalid/multiple-documents.yaml"
  }

  expect_failures = [var.rules_file]
}

run "rejects_a_rules_file_over_one_mebibyte_without_decoding_it" {
  command = plan

  variables {
    # Written by test/terraform.sh: valid YAML, 1,048,577 bytes.
    rules_file = "test/fixtures/rules/generated/too-big.yaml"
  }

  expect_failures = [var.rules_file]
}

run "rejects_warning_above_critical_at_plan" {
  command = plan

  variables {
    rules_file = "lambda/test/fixtures/rules/invalid/threshold-order.yaml"
  }

  expect_failures = [terraform_data.rules]
}

run "rejects_a_file_with_problems_on_them_alone_when_a_scope_has_zone_alarms" {
  command = plan

  variables {
    rules_file = "test/fixtures/rules/zone-alarm-and-order.yaml"
  }

  expect_failures = [terraform_data.rules]
}

run "rejects_scope_names_that_differ_only_in_case" {
  command = plan

  variables {
    rules_file = "test/fixtures/rules/case-only-names.yaml"
  }

  expect_failures = [terraform_data.rules]
}

run "rejects_a_dashboard_beyond_cloudwatchs_500_widgets" {
  command = plan

  variables {
    rules_file = "test/fixtures/rules/many-scopes.yaml"
  }

  expect_failures = [terraform_data.rules]
}

run "rejects_more_alarms_than_max_alarms" {
  command = plan

  variables {
    rules_file = "test/fixtures/rules/three-scopes.yaml"
    max_alarms = 6
  }

  expect_failures = [terraform_data.rules]
}

run "allows_exactly_max_alarms" {
  command = plan

  variables {
    # Three critical, two warning, heartbeat and errors.
    rules_file = "test/fixtures/rules/three-scopes.yaml"
    max_alarms = 7
  }
}

run "counts_the_scan_failed_alarm_of_step_functions_against_max_alarms" {
  command = plan

  variables {
    rules_file  = "test/fixtures/rules/three-scopes.yaml"
    scan_source = "ec2"
    accounts    = ["111122223333", "444455556666"]
    fan_out     = "step-functions"
    max_alarms  = 7
  }

  expect_failures = [terraform_data.rules]
}

run "rejects_a_max_alarms_below_the_monitors_own_two" {
  command = plan

  variables {
    max_alarms = 1
  }

  expect_failures = [var.max_alarms]
}

run "rejects_an_unknown_scan_source" {
  command = plan

  variables {
    scan_source = "vpc"
  }

  expect_failures = [var.scan_source]
}

run "rejects_an_ipam_region_that_is_not_a_region" {
  command = plan

  variables {
    ipam_region = "us-east"
  }

  expect_failures = [var.ipam_region]
}

run "rejects_an_ipam_id_that_is_not_an_ipam_id" {
  command = plan

  variables {
    ipam_id = "ipam-scope-0123456789abcdef0"
  }

  expect_failures = [var.ipam_id]
}

run "rejects_an_unknown_scope_type" {
  command = plan

  variables {
    scope_types = ["private", "shared"]
  }

  expect_failures = [var.scope_types]
}

run "rejects_an_empty_scope_type_list" {
  command = plan

  variables {
    scope_types = []
  }

  expect_failures = [var.scope_types]
}

run "rejects_a_resource_type_in_capitals" {
  command = plan

  variables {
    resource_types = ["Subnet"]
  }

  expect_failures = [var.resource_types]
}

run "rejects_a_region_that_is_not_a_region" {
  command = plan

  variables {
    regions = ["eu-west-1", "Ireland"]
  }

  expect_failures = [var.regions]
}

run "rejects_zero_region_concurrency" {
  command = plan

  variables {
    region_concurrency = 0
  }

  expect_failures = [var.region_concurrency]
}

run "rejects_a_fractional_region_concurrency" {
  command = plan

  variables {
    region_concurrency = 2.5
  }

  expect_failures = [var.region_concurrency]
}

run "rejects_a_namespace_reserved_for_aws" {
  command = plan

  variables {
    metrics_namespace = "AWS/IPAM"
  }

  expect_failures = [var.metrics_namespace]
}

run "rejects_a_namespace_with_invalid_characters" {
  command = plan

  variables {
    metrics_namespace = "IPAM Monitor!"
  }

  expect_failures = [var.metrics_namespace]
}

run "rejects_an_unknown_log_level" {
  command = plan

  variables {
    log_level = "verbose"
  }

  expect_failures = [var.log_level]
}

run "rejects_a_schedule_that_is_not_an_eventbridge_expression" {
  command = plan

  variables {
    schedule_expression = "every hour"
  }

  expect_failures = [var.schedule_expression]
}

run "rejects_a_rate_with_a_plural_unit_for_one" {
  command = plan

  variables {
    schedule_expression = "rate(1 hours)"
  }

  expect_failures = [var.schedule_expression]
}

run "rejects_a_cron_with_five_fields" {
  command = plan

  variables {
    schedule_expression = "cron(0 * * * *)"
  }

  expect_failures = [var.schedule_expression]
}

run "rejects_a_schedule_less_often_than_daily" {
  command = plan

  variables {
    schedule_expression = "rate(2 days)"
  }

  expect_failures = [var.schedule_expression]
}

run "rejects_an_interval_that_is_not_whole_minutes" {
  command = plan

  variables {
    schedule_interval_seconds = 90
  }

  expect_failures = [var.schedule_interval_seconds]
}

run "rejects_an_interval_longer_than_a_day" {
  command = plan

  variables {
    schedule_interval_seconds = 172800
  }

  expect_failures = [var.schedule_interval_seconds]
}

run "rejects_a_missing_prebuilt_package" {
  command = plan

  variables {
    lambda_package = "test/fixtures/package/missing.zip"
  }

  expect_failures = [var.lambda_package]
}

run "rejects_a_prebuilt_package_that_is_not_a_zip" {
  command = plan

  variables {
    lambda_package = "test/fixtures/rules/one-scope.yaml"
  }

  expect_failures = [var.lambda_package]
}

run "rejects_a_node_runtime_older_than_20" {
  command = plan

  variables {
    lambda_runtime = "nodejs18.x"
  }

  expect_failures = [var.lambda_runtime]
}

run "rejects_a_runtime_that_is_not_node" {
  command = plan

  variables {
    lambda_runtime = "python3.12"
  }

  expect_failures = [var.lambda_runtime]
}

run "rejects_an_unknown_architecture" {
  command = plan

  variables {
    lambda_architecture = "arm"
  }

  expect_failures = [var.lambda_architecture]
}

run "rejects_memory_below_the_lambda_minimum" {
  command = plan

  variables {
    lambda_memory_size = 64
  }

  expect_failures = [var.lambda_memory_size]
}

run "rejects_a_timeout_above_fifteen_minutes" {
  command = plan

  variables {
    lambda_timeout = 901
  }

  expect_failures = [var.lambda_timeout]
}

run "rejects_zero_reserved_concurrency" {
  command = plan

  variables {
    lambda_reserved_concurrency = 0
  }

  expect_failures = [var.lambda_reserved_concurrency]
}

run "rejects_a_retention_cloudwatch_logs_does_not_offer" {
  command = plan

  variables {
    lambda_log_retention_days = 10
  }

  expect_failures = [var.lambda_log_retention_days]
}

run "rejects_a_boundary_that_is_not_a_policy_arn" {
  command = plan

  variables {
    iam_role_permissions_boundary = "platform-boundary"
  }

  expect_failures = [var.iam_role_permissions_boundary]
}

run "rejects_a_topic_arn_that_is_not_an_sns_arn" {
  command = plan

  variables {
    create_sns_topic = false
    sns_topic_arn    = "arn:aws:sqs:eu-west-1:111122223333:alarms"
  }

  expect_failures = [var.sns_topic_arn]
}

run "rejects_an_email_without_a_domain" {
  command = plan

  variables {
    alarm_emails = ["netops@example.com", "oncall"]
  }

  expect_failures = [var.alarm_emails]
}

run "rejects_a_plain_http_endpoint" {
  command = plan

  variables {
    alarm_https_endpoints = ["http://hooks.example.com/sns"]
  }

  expect_failures = [var.alarm_https_endpoints]
}

run "rejects_the_aws_managed_sns_key_by_alias_name" {
  command = plan

  variables {
    kms_key_arn = "alias/aws/sns"
  }

  expect_failures = [var.kms_key_arn]
}

run "rejects_the_aws_managed_sns_key_by_alias_arn" {
  command = plan

  variables {
    kms_key_arn = "arn:aws:kms:eu-west-1:111122223333:alias/aws/sns"
  }

  expect_failures = [var.kms_key_arn]
}

run "rejects_a_key_alias_instead_of_a_key_arn" {
  command = plan

  variables {
    kms_key_arn = "arn:aws:kms:eu-west-1:111122223333:alias/network-alarms"
  }

  expect_failures = [var.kms_key_arn]
}

run "rejects_a_runbook_that_is_not_a_url" {
  command = plan

  variables {
    runbook_url = "wiki/runbooks/ip"
  }

  expect_failures = [var.runbook_url]
}

# One plan each for the lower and the upper bounds: every variable listed must fail on its own.
run "rejects_failure_settings_below_their_ranges" {
  command = plan

  variables {
    plausibility_max_drop_percent = 0
    plausibility_confirmations    = 0
    unknown_hold_hours            = -1
    scan_timeout_seconds          = 5
    request_connect_timeout_ms    = 99
    request_response_timeout_ms   = 999
  }

  expect_failures = [
    var.plausibility_max_drop_percent, var.plausibility_confirmations, var.unknown_hold_hours,
    var.scan_timeout_seconds, var.request_connect_timeout_ms, var.request_response_timeout_ms,
  ]
}

run "rejects_failure_settings_above_their_ranges_or_fractional" {
  command = plan

  variables {
    plausibility_max_drop_percent = 101
    plausibility_confirmations    = 1.5
    unknown_hold_hours            = 721
    scan_timeout_seconds          = 10.5
    request_connect_timeout_ms    = 60001
    request_response_timeout_ms   = 300001
  }

  expect_failures = [
    var.plausibility_max_drop_percent, var.plausibility_confirmations, var.unknown_hold_hours,
    var.scan_timeout_seconds, var.request_connect_timeout_ms, var.request_response_timeout_ms,
  ]
}

run "rejects_a_scan_timeout_as_long_as_the_function_timeout" {
  command = plan

  variables {
    scan_timeout_seconds = 300
  }

  expect_failures = [aws_lambda_function.this]
}

run "requires_a_topic_arn_when_no_topic_is_created" {
  command = plan

  variables {
    create_sns_topic = false
  }

  expect_failures = [aws_lambda_function.this]
}

run "rejects_a_topic_arn_while_creating_a_topic" {
  command = plan

  variables {
    sns_topic_arn = "arn:aws:sns:eu-west-1:111122223333:network-alarms"
  }

  expect_failures = [aws_lambda_function.this]
}

run "rejects_creating_a_key_for_an_existing_topic" {
  command = plan

  variables {
    create_sns_topic = false
    sns_topic_arn    = "arn:aws:sns:eu-west-1:111122223333:network-alarms"
    create_kms_key   = true
  }

  expect_failures = [aws_lambda_function.this]
}

run "rejects_both_a_key_and_a_key_to_create" {
  command = plan

  variables {
    create_kms_key = true
    kms_key_arn    = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  expect_failures = [aws_lambda_function.this]
}

run "requires_an_interval_for_a_cron_schedule" {
  command = plan

  variables {
    schedule_expression = "cron(0 6 * * ? *)"
  }

  expect_failures = [aws_cloudwatch_metric_alarm.heartbeat]
}
