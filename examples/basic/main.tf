provider "aws" {
  region = var.region
}

module "ipam_monitor" {
  source = "../.."

  rules_file   = "${path.module}/ipam-rules.yaml"
  alarm_emails = var.alarm_emails
}
