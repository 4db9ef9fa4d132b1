# Realistic values for the computed attributes the module reads at plan time (ARNs it builds
# policies, actions and URLs from). Everything else the mock provider makes up.

mock_data "aws_region" {
  defaults = {
    name = "eu-west-1"
  }
}

mock_data "aws_partition" {
  defaults = {
    partition  = "aws"
    dns_suffix = "amazonaws.com"
  }
}

mock_data "aws_caller_identity" {
  defaults = {
    account_id = "111122223333"
  }
}

mock_data "aws_iam_policy_document" {
  defaults = {
    json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
  }
}

mock_resource "aws_sns_topic" {
  defaults = {
    arn = "arn:aws:sns:eu-west-1:111122223333:ipam-monitor-alarms"
  }
}

mock_resource "aws_kms_key" {
  defaults = {
    arn    = "arn:aws:kms:eu-west-1:111122223333:key/0b6f1c1e-3c1d-4b8e-9a41-5d2f7f0e1a11"
    key_id = "0b6f1c1e-3c1d-4b8e-9a41-5d2f7f0e1a11"
  }
}

mock_resource "aws_dynamodb_table" {
  defaults = {
    arn = "arn:aws:dynamodb:eu-west-1:111122223333:table/ipam-monitor-state"
  }
}

mock_resource "aws_cloudwatch_log_group" {
  defaults = {
    arn = "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/ipam-monitor"
  }
}

mock_resource "aws_iam_role" {
  defaults = {
    arn = "arn:aws:iam::111122223333:role/ipam-monitor"
  }
}

mock_resource "aws_lambda_function" {
  defaults = {
    arn = "arn:aws:lambda:eu-west-1:111122223333:function:ipam-monitor"
  }
}

mock_resource "aws_cloudwatch_event_rule" {
  defaults = {
    arn = "arn:aws:events:eu-west-1:111122223333:rule/ipam-monitor-schedule"
  }
}

mock_resource "aws_sfn_state_machine" {
  defaults = {
    arn = "arn:aws:states:eu-west-1:111122223333:stateMachine:ipam-monitor-scan"
  }
}

mock_resource "aws_s3_bucket" {
  defaults = {
    arn    = "arn:aws:s3:::ipam-monitor-scans-20260101000000000000000001"
    bucket = "ipam-monitor-scans-20260101000000000000000001"
    id     = "ipam-monitor-scans-20260101000000000000000001"
  }
}

# The history bucket gets its own name, so that tests tell it from the scan bucket.
override_resource {
  target = module.history_bucket[0].aws_s3_bucket.this
  values = {
    id     = "ipam-monitor-history-20261201120000000000000001"
    arn    = "arn:aws:s3:::ipam-monitor-history-20261201120000000000000001"
    bucket = "ipam-monitor-history-20261201120000000000000001"
  }
}

mock_resource "aws_iam_policy" {
  defaults = {
    arn = "arn:aws:iam::111122223333:policy/ipam-monitor-history-read"
  }
}
