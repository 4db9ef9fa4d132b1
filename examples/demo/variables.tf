variable "region" {
  description = "Region to deploy the monitor in; the IPAM home Region."
  type        = string
  default     = "us-east-1"
  nullable    = false
}

variable "name" {
  description = "Name prefix of everything the module creates."
  type        = string
  default     = "ipam-monitor-demo"
  nullable    = false
}

variable "alarm_emails" {
  description = "Email addresses that receive the alarms. Each one must confirm its subscription."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "scan_source" {
  description = "Where the monitor reads resource CIDRs: \"ipam\" (the IPAM of var.region) or \"ec2\" (VPCs, subnets and Elastic IPs of this account in var.regions)."
  type        = string
  default     = "ipam"
  nullable    = false
}

variable "regions" {
  description = "Regions the EC2 source reads. An empty list reads var.region only."
  type        = list(string)
  default     = []
  nullable    = false
}
