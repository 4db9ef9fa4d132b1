# Several accounts with the EC2 source, and how a scan runs: one invocation or Step Functions.

mock_provider "aws" {
  source          = "./test/terraform"
  override_during = plan
}

variables {
  rules_file  = "test/fixtures/rules/one-scope.yaml"
  scan_source = "ec2"
  regions     = ["eu-west-1", "us-east-1"]
}

run "reads_only_its_own_account_by_default" {
  command = plan

  assert {
    condition     = length(aws_sfn_state_machine.this) == 0 && length(module.scans_bucket) == 0 && length(aws_iam_role_policy.cross_account) == 0
    error_message = "A single-account deployment got a state machine, a scan bucket or a cross-account policy."
  }

  assert {
    condition     = length(setintersection(keys(aws_lambda_function.this.environment[0].variables), ["ACCOUNTS", "ORGANIZATION", "MEMBER_ROLE_NAME", "FAN_OUT", "SCAN_BUCKET"])) == 0
    error_message = "A single-account deployment sets cross-account variables: ${jsonencode(keys(aws_lambda_function.this.environment[0].variables))}"
  }
}

run "reads_a_short_account_list_in_one_invocation_through_the_member_roles" {
  command = plan

  variables {
    accounts                   = ["111122223333", "222233334444", "333344445555", "222233334444"]
    member_role_name           = "network-reader"
    account_region_concurrency = 8
  }

  assert {
    condition = {
      for key, value in aws_lambda_function.this.environment[0].variables : key => value
      if contains(["ACCOUNTS", "MEMBER_ROLE_NAME", "ACCOUNT_REGION_CONCURRENCY", "REGIONS"], key)
      } == {
      ACCOUNTS                   = "111122223333,222233334444,333344445555"
      MEMBER_ROLE_NAME           = "network-reader"
      ACCOUNT_REGION_CONCURRENCY = "8"
      REGIONS                    = "eu-west-1,us-east-1"
    }
    error_message = "The function's environment does not name the accounts, role and concurrency: ${jsonencode(aws_lambda_function.this.environment[0].variables)}"
  }

  assert {
    # The module's own account (111122223333 in the mocks) is read with the function's role.
    condition = { for s in data.aws_iam_policy_document.cross_account[0].statement : s.sid => s.resources } == {
      AssumeMemberRoles = toset(["arn:aws:iam::222233334444:role/network-reader", "arn:aws:iam::333344445555:role/network-reader"])
    }
    error_message = "The function may assume other roles than the listed accounts' member roles."
  }

  assert {
    condition     = one(data.aws_iam_policy_document.cross_account[0].statement).actions == toset(["sts:AssumeRole"])
    error_message = "The AssumeMemberRoles statement allows more than sts:AssumeRole."
  }

  assert {
    condition     = length(aws_sfn_state_machine.this) == 0 && aws_cloudwatch_event_target.this.arn == aws_lambda_function.this.arn && aws_lambda_function.this.reserved_concurrent_executions == 1
    error_message = "Six account-Regions are not scanned by the scheduled function in one invocation."
  }
}

run "an_account_list_above_the_measured_size_runs_on_step_functions" {
  command = plan

  variables {
    accounts = [for i in range(626) : format("%012d", 200000000000 + i)]
    regions  = ["eu-west-1", "us-east-1", "us-west-2", "ap-southeast-2"]
  }

  assert {
    condition     = length(aws_sfn_state_machine.this) == 1 && aws_lambda_function.this.environment[0].variables.FAN_OUT == "step-functions"
    error_message = "2,504 account-Regions (more than lambda/src/fanout/figures.json allows one invocation) do not run on Step Functions."
  }
}

run "an_organization_deploys_the_state_machine_which_chooses_at_every_run" {
  command = plan

  variables {
    organization            = true
    organizational_unit_ids = ["ou-ab12-cd34ef56"]
    member_role_external_id = "ipam-monitor-7f3a"
  }

  assert {
    condition = {
      for key, value in aws_lambda_function.this.environment[0].variables : key => value
      if contains(["ORGANIZATION", "ORGANIZATIONAL_UNITS", "MEMBER_ROLE_NAME", "MEMBER_ROLE_EXTERNAL_ID", "FAN_OUT", "SCAN_BUCKET"], key)
      } == {
      ORGANIZATION            = "true"
      ORGANIZATIONAL_UNITS    = "ou-ab12-cd34ef56"
      MEMBER_ROLE_NAME        = "ipam-monitor-member"
      MEMBER_ROLE_EXTERNAL_ID = "ipam-monitor-7f3a"
      FAN_OUT                 = "auto"
      SCAN_BUCKET             = "ipam-monitor-scans-20260101000000000000000001"
    }
    error_message = "The function's environment does not describe an organization scan on Step Functions."
  }

  assert {
    condition = { for s in data.aws_iam_policy_document.cross_account[0].statement : s.sid => [s.actions, s.resources] } == {
      ListOrganizationAccounts = [toset(["organizations:ListAccounts", "organizations:ListAccountsForParent", "organizations:ListOrganizationalUnitsForParent"]), toset(["*"])]
      AssumeMemberRoles        = [toset(["sts:AssumeRole"]), toset(["arn:aws:iam::*:role/ipam-monitor-member"])]
      ReadAndWriteScanShards   = [toset(["s3:GetObject", "s3:PutObject"]), toset(["arn:aws:s3:::ipam-monitor-scans-20260101000000000000000001/scans/*"])]
    }
    error_message = "The function's cross-account policy is not: list the organization, assume the member roles, use the scan bucket."
  }

  assert {
    condition     = aws_cloudwatch_event_target.this.arn == aws_sfn_state_machine.this[0].arn && aws_cloudwatch_event_target.this.role_arn == aws_iam_role.schedule[0].arn
    error_message = "The schedule does not start the state machine with its role."
  }

  assert {
    condition     = aws_lambda_function.this.reserved_concurrent_executions == 20
    error_message = "The function cannot run 20 shards at once."
  }

  assert {
    condition = alltrue([
      jsondecode(aws_sfn_state_machine.this[0].definition).StartAt == "Plan",
      jsondecode(aws_sfn_state_machine.this[0].definition).TimeoutSeconds == 3540,
      jsondecode(aws_sfn_state_machine.this[0].definition).States.Plan.Parameters.FunctionName == aws_lambda_function.this.arn,
      jsondecode(aws_sfn_state_machine.this[0].definition).States.Plan.Parameters.Payload["scanId.$"] == "$$.Execution.Name",
      jsondecode(aws_sfn_state_machine.this[0].definition).States.CollectShards.MaxConcurrency == 20,
    ])
    error_message = "The state machine definition is not rendered with the function, the timeout (one interval less a minute) and 20 shards at once."
  }

  assert {
    condition = alltrue([
      module.scans_bucket[0].bucket.force_destroy,
      one(module.scans_bucket[0].settings.lifecycle.rule).expiration[0].days == 7,
      one(one(module.scans_bucket[0].settings.encryption.rule).apply_server_side_encryption_by_default).sse_algorithm == "AES256",
      module.scans_bucket[0].settings.public_access_block.restrict_public_buckets,
    ])
    error_message = "The scan bucket is not private, encrypted and expiring after 7 days."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.scan_failed[0].alarm_name == "ipam-monitor-scan-failed" && aws_cloudwatch_metric_alarm.scan_failed[0].alarm_actions == toset([aws_sns_topic.this[0].arn])
    error_message = "No alarm tells the topic when a scan execution fails."
  }

  assert {
    condition = { for s in data.aws_iam_policy_document.state_machine[0].statement : s.sid => s.resources } == {
      InvokeScanFunction          = toset([aws_lambda_function.this.arn, "${aws_lambda_function.this.arn}:*"])
      ReadShardPlan               = toset(["arn:aws:s3:::ipam-monitor-scans-20260101000000000000000001/scans/*"])
      RunShardsAsChildExecutions  = toset(["arn:aws:states:eu-west-1:111122223333:stateMachine:ipam-monitor-scan"])
      WatchAndStopChildExecutions = toset(["arn:aws:states:eu-west-1:111122223333:execution:ipam-monitor-scan/*"])
    }
    error_message = "The state machine's role is not limited to the function, the plan objects and its own executions."
  }
}

run "single_keeps_an_organization_scan_in_one_invocation" {
  command = plan

  variables {
    organization = true
    fan_out      = "single"
  }

  assert {
    condition     = length(aws_sfn_state_machine.this) == 0 && !contains(keys(aws_lambda_function.this.environment[0].variables), "FAN_OUT")
    error_message = "fan_out = \"single\" still deploys the state machine."
  }
}

run "step_functions_runs_even_a_short_list_on_the_state_machine" {
  command = plan

  variables {
    accounts                    = ["222233334444"]
    fan_out                     = "step-functions"
    lambda_reserved_concurrency = null
  }

  assert {
    condition     = length(aws_sfn_state_machine.this) == 1 && aws_lambda_function.this.environment[0].variables.FAN_OUT == "step-functions" && aws_lambda_function.this.reserved_concurrent_executions == -1
    error_message = "fan_out = \"step-functions\" does not deploy the state machine, or reserves concurrency the user switched off."
  }
}

run "rejects_an_account_id_that_is_not_twelve_digits" {
  command = plan

  variables {
    accounts = ["1111-2222-3333"]
  }

  expect_failures = [var.accounts]
}

run "rejects_an_organizational_unit_id_that_is_not_one" {
  command = plan

  variables {
    organization            = true
    organizational_unit_ids = ["Workloads"]
  }

  expect_failures = [var.organizational_unit_ids]
}

run "rejects_a_member_role_name_with_a_path" {
  command = plan

  variables {
    member_role_name = "platform/reader"
  }

  expect_failures = [var.member_role_name]
}

run "rejects_a_one_character_external_id" {
  command = plan

  variables {
    member_role_external_id = "x"
  }

  expect_failures = [var.member_role_external_id]
}

run "rejects_a_concurrency_of_zero" {
  command = plan

  variables {
    account_region_concurrency = 0
  }

  expect_failures = [var.account_region_concurrency]
}

run "rejects_an_unknown_fan_out" {
  command = plan

  variables {
    fan_out = "threads"
  }

  expect_failures = [var.fan_out]
}

run "rejects_a_retention_of_zero_days" {
  command = plan

  variables {
    fan_out_retention_days = 0
  }

  expect_failures = [var.fan_out_retention_days]
}

run "rejects_accounts_and_organization_together" {
  command = plan

  variables {
    accounts     = ["222233334444"]
    organization = true
  }

  expect_failures = [aws_lambda_function.this]
}

run "rejects_accounts_with_the_ipam_source" {
  command = plan

  variables {
    scan_source = "ipam"
    accounts    = ["222233334444"]
  }

  expect_failures = [aws_lambda_function.this]
}

run "rejects_organizational_units_without_organization" {
  command = plan

  variables {
    organizational_unit_ids = ["ou-ab12-cd34ef56"]
  }

  expect_failures = [aws_lambda_function.this]
}

run "rejects_step_functions_for_a_single_account" {
  command = plan

  variables {
    fan_out = "step-functions"
  }

  expect_failures = [aws_lambda_function.this]
}
