# What the module does about failures: no asynchronous retries, the function's failure settings,
# alarms on resources that stop being measured, a key only this module's alarms may use.

mock_provider "aws" {
  source          = "./test/terraform"
  override_during = plan
}

variables {
  rules_file = "test/fixtures/rules/unknown-alarms.yaml"
}

# Three plans, each checking several things, keep the stage quick.

run "by_default_no_retries_the_functions_failure_defaults_and_unknown_alarms_for_ipv4_scopes" {
  command = plan

  assert {
    condition     = aws_lambda_function_event_invoke_config.this.maximum_retry_attempts == 0
    error_message = "Lambda retries a failed scan asynchronously; the next scheduled run is the retry."
  }

  assert {
    condition     = aws_lambda_function_event_invoke_config.this.maximum_event_age_in_seconds == 3600 && aws_lambda_function_event_invoke_config.this.function_name == "ipam-monitor"
    error_message = "An event that waited longer than the hourly schedule interval is not dropped: ${aws_lambda_function_event_invoke_config.this.maximum_event_age_in_seconds}"
  }

  assert {
    condition = length(setintersection(keys(aws_lambda_function.this.environment[0].variables), [
      "PLAUSIBILITY_MAX_DROP_PERCENT", "PLAUSIBILITY_CONFIRMATIONS", "UNKNOWN_HOLD_HOURS", "SCAN_TIMEOUT_SECONDS", "CONNECT_TIMEOUT_MS", "RESPONSE_TIMEOUT_MS",
    ])) == 0
    error_message = "Unset failure settings must be absent from the environment, so the function's defaults apply."
  }

  assert {
    condition     = sort(keys(module.scope_alarms["unknown"].alarms)) == tolist(["eips", "ipv4-family", "ipv4-ranges", "opted-in"])
    error_message = "UnknownCount alarms must exist for IPv4-only scopes and a scope that asks for one, not for scopes that may hold IPv6 subnets or opt out: ${jsonencode(keys(module.scope_alarms["unknown"].alarms))}"
  }

  assert {
    condition = alltrue([
      for scope, alarm in module.scope_alarms["unknown"].alarms :
      alarm.alarm_name == "ipam-monitor-${scope}-unknown" && alarm.metric_name == "UnknownCount" && alarm.dimensions == tomap({ Scope = scope }) &&
      alarm.comparison_operator == "GreaterThanThreshold" && alarm.threshold == 0 && alarm.evaluation_periods == 2 && alarm.treat_missing_data == "ignore" &&
      alarm.alarm_actions == toset([aws_sns_topic.this[0].arn]) && alarm.ok_actions == toset([aws_sns_topic.this[0].arn])
    ])
    error_message = "An UnknownCount alarm does not watch UnknownCount > 0 of its scope for two periods, ignoring gaps, notifying the topic."
  }

  assert {
    condition     = startswith(module.scope_alarms["unknown"].alarms["eips"].alarm_description, "Scope eips has resources whose usage is no longer reported")
    error_message = "The UnknownCount alarm description does not say what it means: ${module.scope_alarms["unknown"].alarms["eips"].alarm_description}"
  }

  assert {
    condition     = output.unknown_alarm_names["eips"] == "ipam-monitor-eips-unknown" && output.scope_alarm_names["unknown"] == output.unknown_alarm_names
    error_message = "The unknown_alarm_names and scope_alarm_names outputs do not name the UnknownCount alarms."
  }
}

run "passes_failure_settings_and_drops_events_older_than_the_schedule_interval" {
  command = plan

  variables {
    schedule_expression           = "rate(15 minutes)"
    plausibility_max_drop_percent = 30
    plausibility_confirmations    = 3
    unknown_hold_hours            = 0
    scan_timeout_seconds          = 240
    request_connect_timeout_ms    = 2000
    request_response_timeout_ms   = 15000
  }

  assert {
    condition     = aws_lambda_function_event_invoke_config.this.maximum_event_age_in_seconds == 900
    error_message = "The event age limit does not follow the schedule interval."
  }

  assert {
    condition = {
      for key, value in aws_lambda_function.this.environment[0].variables : key => value
      if contains(["PLAUSIBILITY_MAX_DROP_PERCENT", "PLAUSIBILITY_CONFIRMATIONS", "UNKNOWN_HOLD_HOURS", "SCAN_TIMEOUT_SECONDS", "CONNECT_TIMEOUT_MS", "RESPONSE_TIMEOUT_MS"], key)
      } == {
      PLAUSIBILITY_MAX_DROP_PERCENT = "30"
      PLAUSIBILITY_CONFIRMATIONS    = "3"
      UNKNOWN_HOLD_HOURS            = "0"
      SCAN_TIMEOUT_SECONDS          = "240"
      CONNECT_TIMEOUT_MS            = "2000"
      RESPONSE_TIMEOUT_MS           = "15000"
    }
    error_message = "The failure settings do not reach the function's environment: ${jsonencode(aws_lambda_function.this.environment[0].variables)}"
  }
}

run "creates_no_unknown_alarms_when_switched_off_and_a_key_only_its_alarms_may_use" {
  command = plan

  variables {
    create_unknown_alarms = false
    create_kms_key        = true
  }

  assert {
    condition     = length(module.scope_alarms["unknown"].alarms) == 0 && length(module.scope_alarms["critical"].alarms) == 6
    error_message = "create_unknown_alarms = false must remove every UnknownCount alarm and keep the others."
  }

  assert {
    condition = jsonencode([
      for s in data.aws_iam_policy_document.kms[0].statement : s.condition if s.sid == "CloudWatchAlarmsPublishToEncryptedTopic"
      ]) == jsonencode([[
        { test = "ArnLike", values = ["arn:aws:cloudwatch:eu-west-1:111122223333:alarm:ipam-monitor-*"], variable = "aws:SourceArn" },
        { test = "StringEquals", values = ["111122223333"], variable = "aws:SourceAccount" },
    ]])
    error_message = "The key policy lets CloudWatch use the key on behalf of any alarm or account: ${jsonencode([for s in data.aws_iam_policy_document.kms[0].statement : s.condition])}"
  }
}
