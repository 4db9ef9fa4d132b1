# The scan history: the bucket the module creates (or the one it is given), the function's access
# to it, the read-only policy for CI, and the checks on its variables.

mock_provider "aws" {
  source          = "./test/terraform"
  override_during = plan
}

variables {
  rules_file = "test/fixtures/rules/three-scopes.yaml"
}

run "creates_an_encrypted_private_bucket_whose_days_expire" {
  command = plan

  assert {
    condition     = length(module.history_bucket) == 1 && startswith(module.history_bucket[0].bucket.bucket_prefix, "ipam-monitor-history-")
    error_message = "The module does not create its history bucket, named after the module."
  }

  assert {
    condition = alltrue([
      module.history_bucket[0].settings.public_access_block.block_public_acls,
      module.history_bucket[0].settings.public_access_block.block_public_policy,
      module.history_bucket[0].settings.public_access_block.ignore_public_acls,
      module.history_bucket[0].settings.public_access_block.restrict_public_buckets,
    ])
    error_message = "Public access to the history bucket is not blocked."
  }

  assert {
    condition     = one(one(module.history_bucket[0].settings.encryption.rule).apply_server_side_encryption_by_default).sse_algorithm == "AES256"
    error_message = "The history bucket is not encrypted by default."
  }

  assert {
    condition     = one(module.history_bucket[0].settings.ownership_controls.rule).object_ownership == "BucketOwnerEnforced"
    error_message = "The history bucket still honours ACLs."
  }

  assert {
    condition     = one(module.history_bucket[0].settings.lifecycle.rule[0].expiration).days == 400 && one(module.history_bucket[0].settings.lifecycle.rule[0].filter).prefix == "days/"
    error_message = "Days of history do not expire after 400 days by default."
  }

  assert {
    condition     = module.history_bucket[0].settings.policy != null
    error_message = "The bucket policy does not refuse requests without TLS."
  }

  assert {
    condition     = aws_lambda_function.this.environment[0].variables["HISTORY_URI"] == "s3://ipam-monitor-history-20261201120000000000000001/"
    error_message = "The function is not told where its history is."
  }

  assert {
    condition     = module.history_bucket[0].bucket.force_destroy == false
    error_message = "The history bucket can be destroyed with its history in it by default."
  }
}

run "lets_the_function_list_read_and_write_only_its_days" {
  command = plan

  assert {
    condition = { for s in data.aws_iam_policy_document.history_function[0].statement : s.sid => s.actions } == {
      ListScanHistoryDays         = toset(["s3:ListBucket"])
      ReadAndWriteScanHistoryDays = toset(["s3:GetObject", "s3:PutObject"])
    }
    error_message = "The function's history permissions are not exactly list, get and put."
  }

  assert {
    condition     = one([for s in data.aws_iam_policy_document.history_function[0].statement : s.resources if s.sid == "ReadAndWriteScanHistoryDays"]) == toset(["arn:aws:s3:::ipam-monitor-history-20261201120000000000000001/days/*"])
    error_message = "The function may read or write objects outside the history's days."
  }

  assert {
    condition     = aws_iam_role_policy.history[0].role == aws_iam_role.this.id
    error_message = "The history policy is not attached to the function's role."
  }
}

run "gives_ci_a_read_only_policy" {
  command = plan

  variables {
    create_history_read_policy = true
  }

  assert {
    condition     = toset(flatten([for s in data.aws_iam_policy_document.history_read[0].statement : tolist(s.actions)])) == toset(["s3:ListBucket", "s3:GetObject"])
    error_message = "The CI policy grants more than listing and reading the history."
  }

  assert {
    condition     = aws_iam_policy.history_read[0].name == "ipam-monitor-history-read"
    error_message = "The CI read policy is not created when asked for."
  }

  assert {
    condition     = output.history_read_policy_arn == "arn:aws:iam::111122223333:policy/ipam-monitor-history-read"
    error_message = "The history_read_policy_arn output is not the policy's ARN."
  }
}

run "uses_an_existing_bucket_under_a_prefix_without_creating_one" {
  command = plan

  variables {
    history_bucket_name = "network-team-data"
    history_prefix      = "ipam-monitor/"
    history_kms_key_arn = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  assert {
    condition     = length(module.history_bucket) == 0
    error_message = "A bucket is created although an existing one is given."
  }

  assert {
    condition     = output.history_uri == "s3://network-team-data/ipam-monitor/" && aws_lambda_function.this.environment[0].variables["HISTORY_URI"] == "s3://network-team-data/ipam-monitor/"
    error_message = "The history is not under the given bucket and prefix."
  }

  assert {
    condition     = one([for s in data.aws_iam_policy_document.history_function[0].statement : s.resources if s.sid == "ReadAndWriteScanHistoryDays"]) == toset(["arn:aws:s3:::network-team-data/ipam-monitor/days/*"])
    error_message = "The function's access is not limited to the prefix's days."
  }

  assert {
    condition     = one([for s in data.aws_iam_policy_document.history_function[0].statement : s.resources if s.sid == "EncryptScanHistoryWithBucketKey"]) == toset(["arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"])
    error_message = "The function may not use the history's key."
  }
}

run "keeps_no_history_when_disabled" {
  command = plan

  variables {
    history_enabled = false
  }

  assert {
    condition     = length(module.history_bucket) == 0 && length(aws_iam_role_policy.history) == 0
    error_message = "History resources are created although history is disabled."
  }

  assert {
    condition     = !contains(keys(aws_lambda_function.this.environment[0].variables), "HISTORY_URI") && output.history_uri == null && output.history_read_policy_json == null
    error_message = "The function is given a history although history is disabled."
  }
}

run "refuses_forecast_thresholds_without_a_history" {
  command = plan

  variables {
    rules_file      = "test/fixtures/rules/days-to-full.yaml"
    history_enabled = false
  }

  expect_failures = [aws_lambda_function.this]
}

run "refuses_a_retention_shorter_than_a_week" {
  command = plan

  variables {
    history_retention_days = 3
  }

  expect_failures = [var.history_retention_days]
}

run "refuses_a_prefix_without_a_trailing_slash" {
  command = plan

  variables {
    history_prefix = "ipam-monitor"
  }

  expect_failures = [var.history_prefix]
}

run "refuses_a_bucket_name_s3_would_refuse" {
  command = plan

  variables {
    history_bucket_name = "Network_Team"
  }

  expect_failures = [var.history_bucket_name]
}

run "refuses_a_key_alias_for_the_history" {
  command = plan

  variables {
    history_kms_key_arn = "alias/aws/s3"
  }

  expect_failures = [var.history_kms_key_arn]
}

run "draws_the_days_to_full_of_each_scope_when_the_rules_alarm_on_them" {
  command = plan

  variables {
    rules_file = "test/fixtures/rules/days-to-full.yaml"
  }

  assert {
    condition     = length([for w in jsondecode(aws_cloudwatch_dashboard.this[0].dashboard_body).widgets : w if can(regex("MinDaysToFull", jsonencode(w)))]) == 1
    error_message = "The dashboard has no widget of the scopes' days to full."
  }
}

run "draws_no_days_to_full_without_days_thresholds" {
  command = plan

  assert {
    condition     = !strcontains(aws_cloudwatch_dashboard.this[0].dashboard_body, "MinDaysToFull")
    error_message = "The dashboard shows days to full although no scope alarms on them."
  }
}

run "drops_the_tls_only_policy_only_when_asked" {
  command = plan

  variables {
    history_require_tls = false
  }

  assert {
    condition     = length(module.history_bucket) == 1 && module.history_bucket[0].settings.policy == null
    error_message = "The TLS-only bucket policy is still there, or the bucket is gone."
  }
}
