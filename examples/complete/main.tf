provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Team = "network-platform"
    }
  }
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

# A topic shared with other alarms, encrypted with a customer managed key. The key policy must let
# CloudWatch alarms use the key: alarms cannot publish to a topic encrypted with alias/aws/sns.
data "aws_iam_policy_document" "alarm_key" {
  statement {
    sid       = "AccountAdministersKey"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }

  statement {
    sid       = "CloudWatchAlarmsPublishToEncryptedTopic"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    # On behalf of alarms of this account and Region only. The topic is shared with other alarms, so
    # any alarm name; the module's own key (create_kms_key) narrows this to its alarms.
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${data.aws_partition.current.partition}:cloudwatch:${var.region}:${data.aws_caller_identity.current.account_id}:alarm:*"]
    }
  }
}

resource "aws_kms_key" "alarms" {
  description         = "Encrypts the network alarms topic."
  enable_key_rotation = true
  policy              = data.aws_iam_policy_document.alarm_key.json
}

resource "aws_kms_alias" "alarms" {
  name          = "alias/network-alarms"
  target_key_id = aws_kms_key.alarms.key_id
}

# The default topic policy lets principals and alarms of this account publish.
resource "aws_sns_topic" "alarms" {
  name              = "network-alarms"
  kms_master_key_id = aws_kms_key.alarms.arn
}

module "ipam_monitor" {
  source = "../.."

  name       = "network-ip-monitor"
  rules_file = "${path.module}/ipam-rules.yaml"

  # What to scan.
  scan_source    = var.scan_source
  ipam_region    = var.ipam_region
  scope_types    = ["private"]
  resource_types = ["vpc", "subnet"]
  regions        = var.scan_source == "ec2" ? var.regions : []

  # Every 15 minutes; a cron() schedule also names the longest gap between two runs.
  schedule_expression       = "cron(0/15 * * * ? *)"
  schedule_interval_seconds = 900

  lambda_memory_size        = 1024
  lambda_timeout            = 600
  lambda_log_retention_days = 90

  # The existing topic and the key that encrypts it (the function needs the key to publish).
  create_sns_topic = false
  sns_topic_arn    = aws_sns_topic.alarms.arn
  kms_key_arn      = aws_kms_key.alarms.arn
  alarm_emails     = var.alarm_emails

  runbook_url                        = var.runbook_url
  state_table_point_in_time_recovery = true

  tags = {
    Service = "ip-address-management"
  }
}
