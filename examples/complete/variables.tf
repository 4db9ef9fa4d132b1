variable "region" {
  description = "Region to deploy the monitor in."
  type        = string
  default     = "eu-west-1"
  nullable    = false
}

variable "scan_source" {
  description = "\"ipam\" to read Amazon VPC IPAM, \"ec2\" to read VPCs, subnets and Elastic IPs of this account directly."
  type        = string
  default     = "ipam"
  nullable    = false
}

variable "ipam_region" {
  description = "Home Region of the IPAM (IPAM source)."
  type        = string
  default     = "us-east-1"
  nullable    = false
}

variable "regions" {
  description = "Regions to scan (EC2 source)."
  type        = list(string)
  default     = ["eu-west-1", "eu-central-1"]
  nullable    = false
}

variable "alarm_emails" {
  description = "Email addresses that receive the alarms. Each one must confirm its subscription."
  type        = list(string)
  default     = ["netops@example.com", "platform-oncall@example.com"]
  nullable    = false
}

variable "runbook_url" {
  description = "Runbook linked from every alarm description."
  type        = string
  default     = "https://wiki.example.com/runbooks/ip-exhaustion"
  nullable    = false
}
