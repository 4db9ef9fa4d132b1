provider "aws" {
  region = var.region
}

module "ipam_monitor" {
  source = "../.."

  name       = var.name
  rules_file = "${path.module}/ipam-rules.yaml"

  # Read the IPAM of var.region, both scope types: subnets and VPCs, and Elastic IPs.
  # With scan_source = "ec2", read the VPCs, subnets and Elastic IPs of var.regions instead.
  scan_source         = var.scan_source
  regions             = var.regions
  scope_types         = ["private", "public"]
  schedule_expression = "rate(1 hour)"

  alarm_emails = var.alarm_emails

  # The demo is thrown away after it ran: destroy may take the scan history with it.
  history_force_destroy = true

  tags = {
    Project = "ipam-monitor-demo"
  }
}
