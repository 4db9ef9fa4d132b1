# Each switch of the module, one at a time, from the defaults.

# Mock values from test/terraform/aws.tfmock.hcl, made known at plan time (Terraform 1.11+), so
# that ARNs inside policies and alarm actions can be asserted.
mock_provider "aws" {
  source          = "./test/terraform"
  override_during = plan
}

variables {
  rules_file = "test/fixtures/rules/three-scopes.yaml"
}

run "uses_an_existing_topic_without_creating_one" {
  command = plan

  variables {
    create_sns_topic = false
    sns_topic_arn    = "arn:aws:sns:eu-west-1:111122223333:network-alarms"
  }

  assert {
    condition     = length(aws_sns_topic.this) == 0
    error_message = "A topic is created although an existing one is given."
  }

  assert {
    condition = alltrue([
      for alarm in concat(values(module.scope_alarms["critical"].alarms), values(module.scope_alarms["warning"].alarms), [aws_cloudwatch_metric_alarm.heartbeat, aws_cloudwatch_metric_alarm.errors]) :
      alarm.alarm_actions == toset(["arn:aws:sns:eu-west-1:111122223333:network-alarms"]) && alarm.ok_actions == toset(["arn:aws:sns:eu-west-1:111122223333:network-alarms"])
    ])
    error_message = "Some alarm does not notify the existing topic."
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables["SNS_TOPIC_ARN"] == "arn:aws:sns:eu-west-1:111122223333:network-alarms"
    error_message = "The function does not publish its notifications to the existing topic."
  }

  assert {
    condition     = { for s in data.aws_iam_policy_document.this.statement : s.sid => s.resources }["NotifyAlarmTopic"] == toset(["arn:aws:sns:eu-west-1:111122223333:network-alarms"])
    error_message = "The function may not publish to the existing topic, or may publish elsewhere."
  }

  assert {
    condition     = output.sns_topic_arn == "arn:aws:sns:eu-west-1:111122223333:network-alarms"
    error_message = "The sns_topic_arn output is not the existing topic."
  }
}

run "subscribes_every_email_address_and_https_endpoint_on_its_own" {
  command = plan

  variables {
    alarm_emails          = ["netops@example.com", "oncall@example.com"]
    alarm_https_endpoints = ["https://events.pagerduty.com/integration/abc123/enqueue"]
  }

  assert {
    condition     = toset(keys(aws_sns_topic_subscription.email)) == toset(["netops@example.com", "oncall@example.com"])
    error_message = "The email subscriptions are not keyed by address, one each."
  }

  assert {
    condition     = alltrue([for address, subscription in aws_sns_topic_subscription.email : subscription.endpoint == address && subscription.protocol == "email" && subscription.topic_arn == aws_sns_topic.this[0].arn])
    error_message = "Some email subscription does not send its own address the topic's messages."
  }

  assert {
    condition     = aws_sns_topic_subscription.https["https://events.pagerduty.com/integration/abc123/enqueue"].protocol == "https"
    error_message = "The https endpoint is not subscribed over https."
  }
}

run "encrypts_the_created_topic_with_the_given_key_and_lets_the_function_use_it" {
  command = plan

  variables {
    kms_key_arn = "arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab"
  }

  assert {
    condition     = aws_sns_topic.this[0].kms_master_key_id == "arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab"
    error_message = "The created topic is not encrypted with the given key."
  }

  assert {
    condition     = length(aws_kms_key.this) == 0
    error_message = "A key is created although one is given."
  }

  assert {
    condition = (
      jsonencode({ for s in data.aws_iam_policy_document.this.statement : s.sid => [s.actions, s.resources, s.condition] }["EncryptNotificationsWithTopicKey"]) ==
      jsonencode([["kms:Decrypt", "kms:GenerateDataKey*"], ["arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab"], [{ test = "StringEquals", values = ["sns.eu-west-1.amazonaws.com"], variable = "kms:ViaService" }]])
    )
    error_message = "The function may not use the topic's key through SNS, or may use it for more."
  }

  assert {
    condition     = output.kms_key_arn == "arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab"
    error_message = "The kms_key_arn output is not the given key."
  }
}

run "lets_the_function_use_the_key_of_an_existing_topic" {
  command = plan

  variables {
    create_sns_topic = false
    sns_topic_arn    = "arn:aws:sns:eu-west-1:111122223333:network-alarms"
    kms_key_arn      = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  assert {
    condition     = { for s in data.aws_iam_policy_document.this.statement : s.sid => s.resources }["EncryptNotificationsWithTopicKey"] == toset(["arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"])
    error_message = "The function may not use the key of the existing topic."
  }
}

run "creates_a_rotating_key_whose_policy_lets_cloudwatch_alarms_publish" {
  command = plan

  variables {
    create_kms_key = true
  }

  assert {
    condition     = length(aws_kms_key.this) == 1 && aws_kms_key.this[0].enable_key_rotation
    error_message = "No key with rotation is created."
  }

  assert {
    condition     = aws_sns_topic.this[0].kms_master_key_id == aws_kms_key.this[0].arn
    error_message = "The topic is not encrypted with the created key."
  }

  assert {
    condition = jsonencode([
      for s in data.aws_iam_policy_document.kms[0].statement : [s.actions, [for p in s.principals : p.identifiers]]
      if s.sid == "CloudWatchAlarmsPublishToEncryptedTopic"
    ]) == jsonencode([[["kms:Decrypt", "kms:GenerateDataKey*"], [["cloudwatch.amazonaws.com"]]]])
    error_message = "The key policy does not let cloudwatch.amazonaws.com decrypt and generate data keys, so alarms could not publish."
  }

  assert {
    condition     = one([for s in data.aws_iam_policy_document.kms[0].statement : one(s.principals).identifiers if s.sid == "AccountAdministersKey"]) == toset(["arn:aws:iam::111122223333:root"])
    error_message = "The key policy does not delegate to the account's IAM policies."
  }

  assert {
    condition     = aws_kms_alias.this[0].name == "alias/ipam-monitor-alarms"
    error_message = "The key has no alias named after the module."
  }

  assert {
    condition     = { for s in data.aws_iam_policy_document.this.statement : s.sid => s.resources }["EncryptNotificationsWithTopicKey"] == toset([aws_kms_key.this[0].arn])
    error_message = "The function may not use the created key to publish."
  }
}

run "leaves_out_warning_alarms_when_switched_off" {
  command = plan

  variables {
    create_warning_alarms = false
  }

  assert {
    condition     = length(module.scope_alarms["warning"].alarms) == 0 && length(module.scope_alarms["critical"].alarms) == 3
    error_message = "Switching warning alarms off must remove them all and keep the three critical alarms."
  }
}

run "deploys_a_prebuilt_package_without_building" {
  command = plan

  variables {
    lambda_package = "test/fixtures/package/prebuilt.zip"
  }

  assert {
    condition     = length(terraform_data.build) == 0
    error_message = "The package is built although a prebuilt one is given."
  }

  assert {
    condition     = aws_lambda_function.this.filename == "test/fixtures/package/prebuilt.zip" && aws_lambda_function.this.source_code_hash == filebase64sha256("test/fixtures/package/prebuilt.zip")
    error_message = "The function does not deploy the prebuilt zip identified by its content hash."
  }
}

run "grants_only_ec2_describe_actions_for_the_ec2_source" {
  command = plan

  variables {
    scan_source        = "ec2"
    regions            = ["eu-west-1", "eu-central-1"]
    region_concurrency = 8
  }

  assert {
    condition     = { for s in data.aws_iam_policy_document.this.statement : s.sid => s.actions }["DescribeVpcsSubnetsAndAddresses"] == toset(["ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeAddresses"])
    error_message = "The EC2 source does not get exactly the EC2 describe actions."
  }

  assert {
    condition     = length([for action in flatten([for s in data.aws_iam_policy_document.this.statement : s.actions]) : action if strcontains(lower(action), "ipam")]) == 0
    error_message = "The EC2 source is granted IPAM actions it never calls."
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables["SOURCE"] == "ec2" && aws_lambda_function.this.environment[0].variables["REGIONS"] == "eu-west-1,eu-central-1" && aws_lambda_function.this.environment[0].variables["REGION_CONCURRENCY"] == "8"
    error_message = "The function is not told to scan EC2 in the two Regions."
  }

  assert {
    condition     = length(setintersection(keys(aws_lambda_function.this.environment[0].variables), ["IPAM_REGION", "IPAM_ID", "SCOPE_TYPES", "RESOURCE_TYPES"])) == 0
    error_message = "The EC2 source's function is given IPAM settings it does not use."
  }
}

run "passes_every_optional_scanner_setting_to_the_function" {
  command = plan

  variables {
    ipam_region       = "us-east-1"
    ipam_id           = "ipam-0123456789abcdef0"
    scope_types       = ["private"]
    resource_types    = ["vpc", "subnet"]
    metrics_namespace = "Network/IPAM"
    dry_run           = true
    log_level         = "debug"
  }

  assert {
    condition = alltrue([
      aws_lambda_function.this.environment[0].variables["IPAM_REGION"] == "us-east-1",
      aws_lambda_function.this.environment[0].variables["IPAM_ID"] == "ipam-0123456789abcdef0",
      aws_lambda_function.this.environment[0].variables["SCOPE_TYPES"] == "private",
      aws_lambda_function.this.environment[0].variables["RESOURCE_TYPES"] == "vpc,subnet",
      aws_lambda_function.this.environment[0].variables["METRICS_NAMESPACE"] == "Network/IPAM",
      aws_lambda_function.this.environment[0].variables["DRY_RUN"] == "true",
      aws_lambda_function.this.environment[0].variables["LOG_LEVEL"] == "debug",
    ])
    error_message = "Some setting does not reach the function: ${jsonencode(aws_lambda_function.this.environment[0].variables)}"
  }

  assert {
    condition     = alltrue([for alarm in concat(values(module.scope_alarms["critical"].alarms), [aws_cloudwatch_metric_alarm.heartbeat]) : alarm.namespace == "Network/IPAM"])
    error_message = "The alarms do not watch the custom namespace."
  }

  assert {
    condition     = one({ for s in data.aws_iam_policy_document.this.statement : s.sid => s.condition }["PublishScopeMetricsToOwnNamespace"]).values == tolist(["Network/IPAM"])
    error_message = "The function may not publish to the custom namespace, or may publish elsewhere."
  }
}

run "derives_alarm_periods_from_a_rate_schedule" {
  command = plan

  variables {
    schedule_expression = "rate(15 minutes)"
  }

  assert {
    condition = alltrue([
      for alarm in concat(values(module.scope_alarms["critical"].alarms), values(module.scope_alarms["warning"].alarms), [aws_cloudwatch_metric_alarm.heartbeat, aws_cloudwatch_metric_alarm.errors]) : alarm.period == 900
    ])
    error_message = "The alarm periods do not follow the 15-minute schedule."
  }
}

run "uses_the_given_interval_for_a_cron_schedule" {
  command = plan

  variables {
    schedule_expression       = "cron(0/30 * * * ? *)"
    schedule_interval_seconds = 1800
  }

  assert {
    condition     = aws_cloudwatch_event_rule.this.schedule_expression == "cron(0/30 * * * ? *)" && aws_cloudwatch_metric_alarm.heartbeat.period == 1800
    error_message = "The cron schedule or its interval is not used."
  }
}

run "leaves_concurrency_unreserved_when_set_to_null" {
  command = plan

  variables {
    lambda_reserved_concurrency = null
  }

  assert {
    condition     = aws_lambda_function.this.reserved_concurrent_executions == -1
    error_message = "A null reserved concurrency must leave the function in the unreserved pool (-1)."
  }
}

run "skips_the_dashboard_when_switched_off" {
  command = plan

  variables {
    create_dashboard = false
  }

  assert {
    condition     = length(aws_cloudwatch_dashboard.this) == 0 && output.dashboard_name == null && output.dashboard_url == null
    error_message = "The dashboard or its outputs remain although create_dashboard is false."
  }
}

run "applies_the_function_settings_boundary_and_recovery" {
  command = plan

  variables {
    name                               = "net-ip"
    lambda_runtime                     = "nodejs20.x"
    lambda_architecture                = "x86_64"
    lambda_memory_size                 = 1024
    lambda_timeout                     = 600
    lambda_log_retention_days          = 90
    iam_role_permissions_boundary      = "arn:aws:iam::111122223333:policy/platform-boundary"
    state_table_point_in_time_recovery = true
  }

  assert {
    condition = alltrue([
      aws_lambda_function.this.function_name == "net-ip",
      aws_lambda_function.this.runtime == "nodejs20.x",
      aws_lambda_function.this.architectures == tolist(["x86_64"]),
      aws_lambda_function.this.memory_size == 1024,
      aws_lambda_function.this.timeout == 600,
      aws_cloudwatch_log_group.this.name == "/aws/lambda/net-ip",
      aws_cloudwatch_log_group.this.retention_in_days == 90,
      module.scope_alarms["critical"].alarms["prod"].alarm_name == "net-ip-prod-critical",
    ])
    error_message = "Some function setting or the name prefix is not applied."
  }

  assert {
    condition     = aws_iam_role.this.permissions_boundary == "arn:aws:iam::111122223333:policy/platform-boundary"
    error_message = "The role does not carry the permissions boundary."
  }

  assert {
    condition     = aws_dynamodb_table.this.point_in_time_recovery[0].enabled
    error_message = "Point-in-time recovery is not turned on."
  }
}
