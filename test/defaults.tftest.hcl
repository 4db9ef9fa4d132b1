# The module with nothing but a rules file: what a platform team gets from the README's usage block.

# Mock values from test/terraform/aws.tfmock.hcl, made known at plan time (Terraform 1.11+), so
# that ARNs inside policies and alarm actions can be asserted.
mock_provider "aws" {
  source          = "./test/terraform"
  override_during = plan
}

variables {
  rules_file = "test/fixtures/rules/one-scope.yaml"
}

run "names_every_resource_after_the_default_prefix" {
  command = plan

  assert {
    condition = alltrue([
      aws_lambda_function.this.function_name == "ipam-monitor",
      aws_iam_role.this.name == "ipam-monitor",
      aws_cloudwatch_log_group.this.name == "/aws/lambda/ipam-monitor",
      aws_cloudwatch_event_rule.this.name == "ipam-monitor-schedule",
      aws_sns_topic.this[0].name == "ipam-monitor-alarms",
      aws_dynamodb_table.this.name == "ipam-monitor-state",
      aws_cloudwatch_dashboard.this[0].dashboard_name == "ipam-monitor",
    ])
    error_message = "Some resource is not named after the default prefix \"ipam-monitor\"."
  }
}

run "runs_the_function_hourly_on_arm64_with_one_reserved_execution" {
  command = plan

  assert {
    condition     = aws_cloudwatch_event_rule.this.schedule_expression == "rate(1 hour)"
    error_message = "The default schedule is not hourly."
  }

  assert {
    condition     = aws_cloudwatch_event_target.this.arn == aws_lambda_function.this.arn && aws_lambda_permission.schedule.principal == "events.amazonaws.com"
    error_message = "The schedule does not invoke the function, or EventBridge may not invoke it."
  }

  assert {
    condition = alltrue([
      aws_lambda_function.this.runtime == "nodejs22.x",
      aws_lambda_function.this.architectures == tolist(["arm64"]),
      aws_lambda_function.this.handler == "index.handler",
      aws_lambda_function.this.reserved_concurrent_executions == 1,
      aws_lambda_function.this.memory_size == 512,
      aws_lambda_function.this.timeout == 300,
    ])
    error_message = "The function does not run index.handler on nodejs22.x/arm64 with 512 MB, 300 s and one reserved execution."
  }

  assert {
    condition     = aws_cloudwatch_log_group.this.retention_in_days == 30
    error_message = "The log group does not keep logs for 30 days by default."
  }
}

run "passes_the_scanner_settings_in_the_environment" {
  command = plan

  assert {
    condition = aws_lambda_function.this.environment[0].variables == tomap({
      RULES_FILE        = "rules.yaml"
      SOURCE            = "ipam"
      SCOPE_TYPES       = "private,public"
      METRICS_NAMESPACE = "IPAMMonitor"
      SNS_TOPIC_ARN     = "arn:aws:sns:eu-west-1:111122223333:ipam-monitor-alarms"
      STATE_TABLE       = "ipam-monitor-state"
      HISTORY_URI       = "s3://ipam-monitor-history-20261201120000000000000001/"
      DRY_RUN           = "false"
      LOG_LEVEL         = "info"
    })
    error_message = "The default environment is not the documented one; unset options must be absent, not empty: ${jsonencode(aws_lambda_function.this.environment[0].variables)}"
  }
}

run "builds_the_package_during_apply_under_a_name_that_carries_the_source_hash" {
  command = plan

  assert {
    condition     = length(terraform_data.build) == 1
    error_message = "The package is not built during apply when no prebuilt package is given."
  }

  assert {
    condition     = can(regex("^\\./dist/ipam-monitor-[0-9a-f]{16}\\.zip$", aws_lambda_function.this.filename))
    error_message = "The function package ${aws_lambda_function.this.filename} is not dist/<name>-<hash>.zip."
  }

  assert {
    condition     = aws_lambda_function.this.filename == "./dist/ipam-monitor-${substr(terraform_data.build[0].triggers_replace.build_hash, 0, 16)}.zip"
    error_message = "The package name does not carry the hash that triggers the build."
  }

  assert {
    condition     = output.lambda_package_path == aws_lambda_function.this.filename
    error_message = "The lambda_package_path output is not the package the function deploys."
  }
}

run "creates_an_unencrypted_topic_and_sends_every_alarm_to_it" {
  command = plan

  assert {
    condition     = length(aws_sns_topic.this) == 1 && aws_sns_topic.this[0].kms_master_key_id == null
    error_message = "The module does not create an unencrypted topic by default."
  }

  assert {
    condition     = length(aws_kms_key.this) == 0 && length(aws_sns_topic_subscription.email) == 0 && length(aws_sns_topic_subscription.https) == 0
    error_message = "The default creates a key or subscriptions nobody asked for."
  }

  assert {
    condition = alltrue([
      for alarm in concat(values(module.scope_alarms["critical"].alarms), values(module.scope_alarms["warning"].alarms), [aws_cloudwatch_metric_alarm.heartbeat, aws_cloudwatch_metric_alarm.errors]) :
      alarm.alarm_actions == toset([aws_sns_topic.this[0].arn]) && alarm.ok_actions == toset([aws_sns_topic.this[0].arn])
    ])
    error_message = "Some alarm does not send both its ALARM and OK transitions to the topic."
  }
}

run "grants_only_the_ipam_reads_and_the_one_namespace_topic_table_and_log_group" {
  command = plan

  assert {
    condition = [for statement in data.aws_iam_policy_document.this.statement : statement.sid] == [
      "ReadIpamResourceCidrs", "PublishScopeMetricsToOwnNamespace", "NotifyAlarmTopic", "RememberNotifiedState", "WriteOwnLogs",
    ]
    error_message = "The policy statements are not the five documented reasons: ${jsonencode([for statement in data.aws_iam_policy_document.this.statement : statement.sid])}"
  }

  assert {
    condition     = { for s in data.aws_iam_policy_document.this.statement : s.sid => s }["ReadIpamResourceCidrs"].actions == toset(jsondecode(file("lambda/iam-actions.json")).ipam)
    error_message = "The read statement does not carry exactly the IPAM actions of lambda/iam-actions.json."
  }

  assert {
    condition = (
      jsonencode({ for s in data.aws_iam_policy_document.this.statement : s.sid => s.condition }["PublishScopeMetricsToOwnNamespace"]) ==
      jsonencode([{ test = "StringEquals", values = ["IPAMMonitor"], variable = "cloudwatch:namespace" }])
    )
    error_message = "PutMetricData is not limited to the IPAMMonitor namespace: ${jsonencode({ for s in data.aws_iam_policy_document.this.statement : s.sid => s.condition })}"
  }

  assert {
    condition = {
      for s in data.aws_iam_policy_document.this.statement : s.sid => s.resources
      } == {
      ReadIpamResourceCidrs             = toset(["*"])
      PublishScopeMetricsToOwnNamespace = toset(["*"])
      NotifyAlarmTopic                  = toset(["arn:aws:sns:eu-west-1:111122223333:ipam-monitor-alarms"])
      RememberNotifiedState             = toset(["arn:aws:dynamodb:eu-west-1:111122223333:table/ipam-monitor-state"])
      WriteOwnLogs                      = toset(["arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/ipam-monitor:*"])
    }
    error_message = "Some statement reaches beyond the one topic, table or log group."
  }

  assert {
    condition     = aws_iam_role.this.permissions_boundary == null && one(data.aws_iam_policy_document.assume_role.statement[0].principals).identifiers == toset(["lambda.amazonaws.com"])
    error_message = "The role is not assumable by Lambda only, or has a boundary nobody asked for."
  }
}

run "creates_a_critical_and_a_warning_alarm_for_the_scope" {
  command = plan

  assert {
    condition     = keys(module.scope_alarms["critical"].alarms) == ["all"] && keys(module.scope_alarms["warning"].alarms) == ["all"]
    error_message = "The one scope does not get exactly one critical and one warning alarm."
  }

  assert {
    condition = alltrue([
      module.scope_alarms["critical"].alarms["all"].alarm_name == "ipam-monitor-all-critical",
      module.scope_alarms["critical"].alarms["all"].namespace == "IPAMMonitor",
      module.scope_alarms["critical"].alarms["all"].metric_name == "CriticalCount",
      module.scope_alarms["critical"].alarms["all"].dimensions == tomap({ Scope = "all" }),
      module.scope_alarms["critical"].alarms["all"].statistic == "Maximum",
      module.scope_alarms["critical"].alarms["all"].comparison_operator == "GreaterThanThreshold",
      module.scope_alarms["critical"].alarms["all"].threshold == 0,
      module.scope_alarms["critical"].alarms["all"].period == 3600,
      module.scope_alarms["critical"].alarms["all"].treat_missing_data == "ignore",
    ])
    error_message = "The critical alarm does not watch CriticalCount > 0 of Scope=all over the hourly period, ignoring missing data."
  }

  assert {
    condition = alltrue([
      module.scope_alarms["warning"].alarms["all"].metric_name == "WarningCount",
      module.scope_alarms["warning"].alarms["all"].dimensions == tomap({ Scope = "all" }),
      module.scope_alarms["warning"].alarms["all"].treat_missing_data == "ignore",
    ])
    error_message = "The warning alarm does not watch WarningCount of Scope=all, ignoring missing data."
  }

  assert {
    condition     = module.scope_alarms["critical"].alarms["all"].alarm_description == "Scope all has resources at critical (utilization >= 90%). Scope: Every VPC and subnet."
    error_message = "The critical alarm description does not name the scope and its inherited threshold: ${module.scope_alarms["critical"].alarms["all"].alarm_description}"
  }
}

run "watches_the_monitor_itself_with_heartbeat_and_errors_alarms" {
  command = plan

  assert {
    condition = alltrue([
      aws_cloudwatch_metric_alarm.heartbeat.alarm_name == "ipam-monitor-heartbeat",
      aws_cloudwatch_metric_alarm.heartbeat.namespace == "IPAMMonitor",
      aws_cloudwatch_metric_alarm.heartbeat.metric_name == "ScanSuccess",
      aws_cloudwatch_metric_alarm.heartbeat.dimensions == null,
      aws_cloudwatch_metric_alarm.heartbeat.comparison_operator == "LessThanThreshold",
      aws_cloudwatch_metric_alarm.heartbeat.threshold == 1,
      aws_cloudwatch_metric_alarm.heartbeat.treat_missing_data == "breaching",
      aws_cloudwatch_metric_alarm.heartbeat.period == 3600,
      aws_cloudwatch_metric_alarm.heartbeat.evaluation_periods == 3,
      aws_cloudwatch_metric_alarm.heartbeat.datapoints_to_alarm == 2,
    ])
    error_message = "The heartbeat alarm does not treat missing ScanSuccess as breaching over hourly periods."
  }

  assert {
    condition = alltrue([
      aws_cloudwatch_metric_alarm.errors.namespace == "AWS/Lambda",
      aws_cloudwatch_metric_alarm.errors.metric_name == "Errors",
      aws_cloudwatch_metric_alarm.errors.dimensions == tomap({ FunctionName = "ipam-monitor" }),
      aws_cloudwatch_metric_alarm.errors.treat_missing_data == "notBreaching",
    ])
    error_message = "The errors alarm does not watch the function's Errors metric."
  }
}

run "keeps_notification_state_in_an_encrypted_on_demand_table" {
  command = plan

  assert {
    condition = alltrue([
      aws_dynamodb_table.this.billing_mode == "PAY_PER_REQUEST",
      aws_dynamodb_table.this.hash_key == "id",
      one(aws_dynamodb_table.this.attribute).type == "S",
      aws_dynamodb_table.this.server_side_encryption[0].enabled,
      !aws_dynamodb_table.this.point_in_time_recovery[0].enabled,
    ])
    error_message = "The state table is not on-demand, keyed by id (S) and encrypted, with point-in-time recovery off by default."
  }
}

run "draws_a_dashboard_without_a_top_resources_widget" {
  command = plan

  assert {
    condition     = length([for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : w if w.type == "metric"]) == 4
    error_message = "The dashboard does not have two widgets for the scope and two health widgets."
  }

  assert {
    condition     = !strcontains(aws_cloudwatch_dashboard.this[0].dashboard_body, "SELECT")
    error_message = "The dashboard queries per-resource metrics although no scope publishes them."
  }

  assert {
    condition     = output.dashboard_url == "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/ipam-monitor"
    error_message = "The dashboard URL is ${output.dashboard_url}."
  }
}

run "tags_every_taggable_resource" {
  command = plan

  variables {
    tags = { CostCenter = "network" }
  }

  assert {
    condition = alltrue([
      for tags in [
        aws_lambda_function.this.tags, aws_iam_role.this.tags, aws_cloudwatch_log_group.this.tags,
        aws_cloudwatch_event_rule.this.tags, aws_sns_topic.this[0].tags, aws_dynamodb_table.this.tags,
        module.scope_alarms["critical"].alarms["all"].tags, aws_cloudwatch_metric_alarm.heartbeat.tags,
      ] : tags == tomap({ CostCenter = "network" })
    ])
    error_message = "Some resource misses the module tags."
  }
}
