################################################################################
# Naming and tags
################################################################################

variable "name" {
  description = "Name prefix for every resource the module creates: the function, role, log group, schedule, topic, state table, alarms and dashboard."
  type        = string
  default     = "ipam-monitor"
  nullable    = false

  validation {
    # The longest derived name ("<name>-schedule") must fit the 64-character limit of EventBridge rules and IAM roles.
    condition     = can(regex("^[A-Za-z0-9_-]{1,48}$", var.name))
    error_message = "The name must be 1 to 48 characters of letters, digits, hyphens or underscores, so that every derived resource name stays within AWS limits."
  }
}

variable "tags" {
  description = "Tags added to every resource that supports tags."
  type        = map(string)
  default     = {}
  nullable    = false
}

################################################################################
# Rules
################################################################################

variable "rules_file" {
  description = "Path of the YAML rules file (scopes and thresholds). It is bundled into the function package, and Terraform reads it to create one set of alarms per scope. Pass a path such as \"$${path.root}/ipam-rules.yaml\"."
  type        = string
  nullable    = false

  validation {
    condition     = try(fileexists(var.rules_file), false)
    error_message = "The rules_file does not exist or is not a regular file. Pass the path of your rules YAML, for example \"$${path.root}/ipam-rules.yaml\"."
  }

  # Terraform evaluates both sides of || and &&, so each condition is wrapped in try(), and the
  # later blocks skip a file an earlier one refused: each problem is reported once.
  validation {
    # The validator (scripts/ipam-monitor validate) has the same limit; a real rules file is a few
    # kilobytes, and a huge one would cost minutes of plan and gigabytes of memory to decode.
    condition = try(
      length(filebase64(var.rules_file)) / 4 * 3 - (endswith(filebase64(var.rules_file), "==") ? 2 : endswith(filebase64(var.rules_file), "=") ? 1 : 0) <= 1048576,
      true,
    )
    error_message = "The rules_file is ${try(length(filebase64(var.rules_file)) / 4 * 3 - (endswith(filebase64(var.rules_file), "==") ? 2 : endswith(filebase64(var.rules_file), "=") ? 1 : 0), "?")} bytes; rules files are limited to 1 MiB (1,048,576 bytes)."
  }

  validation {
    condition     = try(length(filebase64(var.rules_file)) > 1398104 ? true : can(regex("(?m)^[ \\t]*[^#\\s]", file(var.rules_file))), true)
    error_message = "The rules_file is empty (or holds only comments); it needs at least \"version: 1\" and a \"scopes\" list."
  }

  validation {
    condition = try(
      length(filebase64(var.rules_file)) > 1398104 || !can(regex("(?m)^[ \\t]*[^#\\s]", file(var.rules_file))) ? true : can(yamldecode(file(var.rules_file))),
      true,
    )
    error_message = "The rules_file is not valid YAML, or holds more than one YAML document. Check it with scripts/ipam-monitor validate FILE (in a checkout of this module), which names the line and column of each problem."
  }

  # What the file says (types, ranges, warning and critical in order, unique scope names, CIDRs,
  # globs) is checked by the precondition of terraform_data.rules, whose messages name each scope.
}

################################################################################
# What to scan
################################################################################

variable "scan_source" {
  description = "Where the scanner reads resource CIDRs: \"ipam\" (Amazon VPC IPAM, every account and Region it manages) or \"ec2\" (DescribeVpcs, DescribeSubnets and DescribeAddresses in this account, for the Regions in `regions`)."
  type        = string
  default     = "ipam"
  nullable    = false

  validation {
    condition     = contains(["ipam", "ec2"], var.scan_source)
    error_message = "The scan_source must be \"ipam\" or \"ec2\"."
  }
}

variable "ipam_region" {
  description = "Home Region of the IPAM (IPAM source). null scans the IPAM of the Region the function runs in."
  type        = string
  default     = null

  validation {
    condition     = var.ipam_region == null || can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", var.ipam_region))
    error_message = "The ipam_region must be an AWS Region code such as us-east-1."
  }
}

variable "ipam_id" {
  description = "Scan only this IPAM (IPAM source). null scans every IPAM in the account's IPAM home Region."
  type        = string
  default     = null

  validation {
    condition     = var.ipam_id == null || can(regex("^ipam-[0-9a-f]{8,17}$", var.ipam_id))
    error_message = "The ipam_id must be an IPAM id such as ipam-0123456789abcdef0."
  }
}

variable "scope_types" {
  description = "IPAM scope types to scan (IPAM source): \"private\", \"public\" or both."
  type        = list(string)
  default     = ["private", "public"]
  nullable    = false

  validation {
    condition     = length(var.scope_types) > 0 && alltrue([for type in var.scope_types : contains(["private", "public"], type)])
    error_message = "The scope_types must be a non-empty list of \"private\" and/or \"public\"."
  }
}

variable "resource_types" {
  description = "IPAM resource types to fetch (IPAM source), for example [\"vpc\", \"subnet\"]. An empty list fetches every type in one pass per scope."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for type in var.resource_types : can(regex("^[a-z0-9-]{2,40}$", type))])
    error_message = "Each resource_types entry must be an IPAM resource type in lower case, such as vpc, subnet, eip or public-ipv4-pool."
  }
}

variable "regions" {
  description = "Regions to scan (EC2 source). An empty list scans the Region the function runs in."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for region in var.regions : can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", region))])
    error_message = "Each regions entry must be an AWS Region code such as eu-west-1."
  }
}

variable "region_concurrency" {
  description = "How many Regions the EC2 source scans at once."
  type        = number
  default     = 4
  nullable    = false

  validation {
    condition     = var.region_concurrency >= 1 && var.region_concurrency <= 32 && floor(var.region_concurrency) == var.region_concurrency
    error_message = "The region_concurrency must be a whole number from 1 to 32."
  }
}

variable "metrics_namespace" {
  description = "CloudWatch namespace of the scope metrics. The function may publish only to this namespace, and the alarms and dashboard read from it."
  type        = string
  default     = "IPAMMonitor"
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9._/#:-]{1,255}$", var.metrics_namespace)) && !startswith(var.metrics_namespace, "AWS/")
    error_message = "The metrics_namespace must be 1 to 255 letters, digits or . _ / # : - characters and must not start with \"AWS/\", which CloudWatch reserves."
  }
}

variable "dry_run" {
  description = "Scan and log the result, but publish no metrics and send no notification. The alarms stay silent and the heartbeat alarm goes to ALARM while this is on."
  type        = bool
  default     = false
  nullable    = false
}

variable "log_level" {
  description = "Function log level: debug, info, warn or error."
  type        = string
  default     = "info"
  nullable    = false

  validation {
    condition     = contains(["debug", "info", "warn", "error"], var.log_level)
    error_message = "The log_level must be one of debug, info, warn or error."
  }
}

################################################################################
# Schedule
################################################################################

variable "schedule_expression" {
  description = "EventBridge schedule of the scan: rate(...) or cron(...). It must run at least once a day. The alarm periods follow a rate expression; a cron expression also needs schedule_interval_seconds."
  type        = string
  default     = "rate(1 hour)"
  nullable    = false

  validation {
    condition = (
      can(regex("^rate\\((1 (minute|hour|day)|([2-9]|[1-9][0-9]+) (minutes|hours|days))\\)$", var.schedule_expression)) ||
      can(regex("^cron\\([^ ()]+( [^ ()]+){5}\\)$", var.schedule_expression))
    )
    error_message = "The schedule_expression must be an EventBridge schedule such as rate(1 hour), rate(30 minutes) or cron(0 6 * * ? *); use the singular unit with 1 (rate(1 hour)) and the plural otherwise."
  }

  validation {
    condition = try(
      tonumber(regex("^rate\\(([0-9]+) (minute|hour|day)s?\\)$", var.schedule_expression)[0]) *
      { minute = 60, hour = 3600, day = 86400 }[regex("^rate\\(([0-9]+) (minute|hour|day)s?\\)$", var.schedule_expression)[1]] <= 86400,
      true
    )
    error_message = "The schedule_expression must run at least once a day: the heartbeat alarm cannot watch a longer interval."
  }
}

variable "schedule_interval_seconds" {
  description = "Longest time between two scheduled runs, in seconds. It sets the period of every alarm and of the dashboard. null derives it from a rate() schedule; a cron() schedule must set it."
  type        = number
  default     = null

  validation {
    condition = var.schedule_interval_seconds == null || try(
      var.schedule_interval_seconds >= 60 && var.schedule_interval_seconds <= 86400 && var.schedule_interval_seconds % 60 == 0,
      false
    )
    error_message = "The schedule_interval_seconds must be a multiple of 60 from 60 (one minute) to 86400 (one day)."
  }
}

################################################################################
# Function
################################################################################

variable "lambda_package" {
  description = "Path of a prebuilt function package made by scripts/package, for runners without Node.js (Terraform Cloud, Atlantis). Build it with the same rules file as rules_file. null builds the package with scripts/build during apply."
  type        = string
  default     = null

  validation {
    condition     = var.lambda_package == null || (endswith(coalesce(var.lambda_package, "-"), ".zip") && try(fileexists(var.lambda_package), false))
    error_message = "The lambda_package must be the path of an existing .zip file made by scripts/package, or null to build the package during apply."
  }
}

variable "lambda_runtime" {
  description = "Lambda runtime of the function. The package targets Node.js 20 or later."
  type        = string
  default     = "nodejs22.x"
  nullable    = false

  validation {
    condition     = can(regex("^nodejs([2-9][0-9])\\.x$", var.lambda_runtime))
    error_message = "The lambda_runtime must be a Node.js runtime of version 20 or later, such as nodejs22.x."
  }
}

variable "lambda_architecture" {
  description = "Instruction set of the function: arm64 (cheaper per GB-second) or x86_64."
  type        = string
  default     = "arm64"
  nullable    = false

  validation {
    condition     = contains(["arm64", "x86_64"], var.lambda_architecture)
    error_message = "The lambda_architecture must be arm64 or x86_64."
  }
}

variable "lambda_memory_size" {
  description = "Memory of the function in MB. CPU grows with memory; 512 MB scans tens of thousands of CIDRs comfortably."
  type        = number
  default     = 512
  nullable    = false

  validation {
    condition     = var.lambda_memory_size >= 128 && var.lambda_memory_size <= 10240 && floor(var.lambda_memory_size) == var.lambda_memory_size
    error_message = "The lambda_memory_size must be a whole number of MB from 128 to 10240."
  }
}

variable "lambda_timeout" {
  description = "Function timeout in seconds. Keep it shorter than the schedule interval."
  type        = number
  default     = 300
  nullable    = false

  validation {
    condition     = var.lambda_timeout >= 1 && var.lambda_timeout <= 900 && floor(var.lambda_timeout) == var.lambda_timeout
    error_message = "The lambda_timeout must be a whole number of seconds from 1 to 900."
  }
}

variable "lambda_reserved_concurrency" {
  description = "Reserved concurrency of the function. 1 keeps two scans from overlapping. Accounts whose concurrency limit is low (new accounts may have 10) cannot reserve any; set null there to use the unreserved pool."
  type        = number
  default     = 1

  validation {
    condition     = var.lambda_reserved_concurrency == null || try(var.lambda_reserved_concurrency >= 1 && floor(var.lambda_reserved_concurrency) == var.lambda_reserved_concurrency, false)
    error_message = "The lambda_reserved_concurrency must be a whole number of 1 or more, or null for no reservation; 0 would stop the function from ever running."
  }
}

variable "lambda_log_retention_days" {
  description = "Days the function's CloudWatch Logs are kept. 0 keeps them forever."
  type        = number
  default     = 30
  nullable    = false

  validation {
    condition     = contains([0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.lambda_log_retention_days)
    error_message = "The lambda_log_retention_days must be a value CloudWatch Logs accepts: 0 (forever), 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "iam_role_permissions_boundary" {
  description = "ARN of an IAM policy to set as the permissions boundary of the function's role, where your organisation requires one."
  type        = string
  default     = null

  validation {
    condition     = var.iam_role_permissions_boundary == null || can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/.+$", var.iam_role_permissions_boundary))
    error_message = "The iam_role_permissions_boundary must be an IAM policy ARN such as arn:aws:iam::111122223333:policy/boundary."
  }
}

################################################################################
# Notifications
################################################################################

variable "create_sns_topic" {
  description = "Create the SNS topic that receives alarm and scan notifications. Set false and pass sns_topic_arn to use a topic you already have."
  type        = bool
  default     = true
  nullable    = false
}

variable "sns_topic_arn" {
  description = "ARN of an existing SNS topic for alarm and scan notifications, used when create_sns_topic is false. It must be a standard topic in the same Region, and its access policy must let CloudWatch alarms publish."
  type        = string
  default     = null

  validation {
    condition     = var.sns_topic_arn == null || can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$", var.sns_topic_arn))
    error_message = "The sns_topic_arn must be a standard SNS topic ARN such as arn:aws:sns:us-east-1:111122223333:ipam-alerts."
  }
}

variable "alarm_emails" {
  description = "Email addresses subscribed to the topic. Each address receives a confirmation email and gets notifications only after confirming."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for email in var.alarm_emails : can(regex("^[^@[:space:]]+@[^@[:space:]]+\\.[^@[:space:]]+$", email))])
    error_message = "Each alarm_emails entry must be an email address such as netops@example.com."
  }
}

variable "alarm_https_endpoints" {
  description = "HTTPS URLs subscribed to the topic (incident tools, chat webhooks that accept SNS). Each endpoint must confirm the subscription."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for url in var.alarm_https_endpoints : can(regex("^https://[^[:space:]]+$", url))])
    error_message = "Each alarm_https_endpoints entry must be an https:// URL."
  }
}

variable "kms_key_arn" {
  description = "ARN of the customer managed KMS key that encrypts the topic. With create_sns_topic the module encrypts its topic with it; with an existing topic, name the key that topic uses. Either way the function is allowed to use it for publishing, and the key policy must let cloudwatch.amazonaws.com call kms:Decrypt and kms:GenerateDataKey* so that alarms can publish. null leaves a created topic unencrypted unless create_kms_key is true."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || !can(regex("alias/aws/sns$", var.kms_key_arn))
    error_message = "The AWS managed key alias/aws/sns cannot encrypt the alarm topic: its key policy does not let CloudWatch alarms use it, so every alarm notification would fail. Use a customer managed key whose policy allows cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey*, or set create_kms_key = true."
  }

  validation {
    condition     = var.kms_key_arn == null || can(regex("alias/aws/sns$", var.kms_key_arn)) || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.kms_key_arn))
    error_message = "The kms_key_arn must be a KMS key ARN such as arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab; IAM policies match keys by key ARN, not by alias."
  }
}

variable "create_kms_key" {
  description = "Create a customer managed KMS key (with rotation) for the module's topic, whose key policy lets CloudWatch alarms publish. Needs create_sns_topic and excludes kms_key_arn."
  type        = bool
  default     = false
  nullable    = false
}

################################################################################
# Alarms and dashboard
################################################################################

variable "create_warning_alarms" {
  description = "Create a warning alarm (WarningCount > 0) for every scope that has a warning threshold, in addition to the critical alarm every scope gets."
  type        = bool
  default     = true
  nullable    = false
}

variable "create_unknown_alarms" {
  description = "Create an alarm on UnknownCount (usage no longer reported, two scans running) for every scope whose rules ask for one: by default the scopes that hold only IPv4 resources; a scope's unknownAlarm field overrides that. false creates none."
  type        = bool
  default     = true
  nullable    = false
}

variable "runbook_url" {
  description = "URL of the runbook for IP exhaustion, added to every alarm description. null leaves it out."
  type        = string
  default     = null

  validation {
    condition     = var.runbook_url == null || can(regex("^https?://[^[:space:]]+$", var.runbook_url))
    error_message = "The runbook_url must be an http:// or https:// URL."
  }
}

variable "create_dashboard" {
  description = "Create a CloudWatch dashboard with per-scope utilization and counts, the monitor's health and, when a scope has resourceMetrics, the top resources by utilization."
  type        = bool
  default     = true
  nullable    = false
}

################################################################################
# Notification state
################################################################################

variable "state_table_point_in_time_recovery" {
  description = "Turn on point-in-time recovery for the DynamoDB table that remembers what was last notified. The table is small and rebuilt by the next scan, so recovery is rarely needed."
  type        = bool
  default     = false
  nullable    = false
}

################################################################################
# Several accounts (EC2 source) and the fan-out on Step Functions
################################################################################

variable "accounts" {
  description = "Accounts the EC2 source reads, each through its member role (member_role_name): exactly these. The module's own account is read only when listed, with the function's own role. Empty reads only the module's account, unless organization is true."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for account in var.accounts : can(regex("^[0-9]{12}$", account))])
    error_message = "Every item of accounts must be a 12-digit AWS account ID, quoted, such as \"111122223333\"."
  }
}

variable "organization" {
  description = "Read every ACTIVE account of the AWS Organization with the EC2 source (suspended and closing accounts are skipped and reported), each through its member role. Deploy the module in the management account or a delegated administrator account, which may list the organization's accounts."
  type        = bool
  default     = false
  nullable    = false
}

variable "organizational_unit_ids" {
  description = "With organization = true, read only the accounts in these organizational units and the OUs below them (OU IDs such as ou-ab12-cd34ef56, or the root ID). Empty reads the whole organization."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for id in var.organizational_unit_ids : can(regex("^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$", id))])
    error_message = "Every item of organizational_unit_ids must be an OU ID such as ou-ab12-cd34ef56, or the root ID such as r-ab12."
  }
}

variable "member_role_name" {
  description = "Name of the read-only role the function assumes in each member account (arn:PARTITION:iam::ACCOUNT:role/NAME), created by modules/member-role or its CloudFormation template."
  type        = string
  default     = "ipam-monitor-member"
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.member_role_name))
    error_message = "The member_role_name must be an IAM role name of 1 to 64 letters, digits and + = , . @ _ - (no path)."
  }
}

variable "member_role_external_id" {
  description = "External ID passed when assuming the member roles, when their trust policy requires one. null passes none. An external ID is not a secret: it shows in the function's environment and in CloudTrail."
  type        = string
  default     = null

  validation {
    condition     = try(length(var.member_role_external_id) >= 2 && length(var.member_role_external_id) <= 1224 && can(regex("^[A-Za-z0-9+=,.@:/_-]+$", var.member_role_external_id)), var.member_role_external_id == null)
    error_message = "The member_role_external_id must be 2 to 1224 characters of letters, digits and + = , . @ : / _ -, or null."
  }
}

variable "account_region_concurrency" {
  description = "How many account-Regions the EC2 source reads at once when it reads several accounts (each account-Region is throttled by EC2 on its own)."
  type        = number
  default     = 16
  nullable    = false

  validation {
    condition     = var.account_region_concurrency >= 1 && var.account_region_concurrency <= 64 && floor(var.account_region_concurrency) == var.account_region_concurrency
    error_message = "The account_region_concurrency must be a whole number from 1 to 64."
  }
}

variable "fan_out" {
  description = "How a scan of several accounts runs: \"single\" (one function invocation), \"step-functions\" (a Step Functions state machine runs a Distributed Map over shards of accounts, then evaluates once), or \"auto\": single up to the number of account-Regions one invocation scans reliably (lambda/src/fanout/figures.json, from the measurement in docs/organization.md), step-functions above it. With organization = true the count is unknown at plan time, so auto deploys the state machine and chooses at every run."
  type        = string
  default     = "auto"
  nullable    = false

  validation {
    condition     = contains(["auto", "single", "step-functions"], var.fan_out)
    error_message = "The fan_out must be \"auto\", \"single\" or \"step-functions\"."
  }
}

variable "fan_out_retention_days" {
  description = "Days the scan bucket keeps each scan's shard plan and inventories (step-functions mode). They are only read during the scan; a few days leave time to look into a failed one."
  type        = number
  default     = 7
  nullable    = false

  validation {
    condition     = var.fan_out_retention_days >= 1 && var.fan_out_retention_days <= 365 && floor(var.fan_out_retention_days) == var.fan_out_retention_days
    error_message = "The fan_out_retention_days must be a whole number from 1 to 365."
  }
}

################################################################################
# Scan history (forecasts and pull-request previews)
################################################################################

variable "history_enabled" {
  description = "Keep a history of the scans in S3: one compressed object per day with every resource's usage, which the time-to-full forecasts (daysToFullWarning, daysToFullCritical, MinDaysToFull) and `ipam-monitor preview --history` read. Required when the rules use daysToFull thresholds."
  type        = bool
  default     = true
  nullable    = false
}

variable "history_bucket_name" {
  description = "Name of an existing S3 bucket for the scan history. null creates one (encrypted, public access blocked, objects expiring after history_retention_days). With your own bucket, its encryption, access and lifecycle are yours to set."
  type        = string
  default     = null

  validation {
    condition     = var.history_bucket_name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.history_bucket_name))
    error_message = "The history_bucket_name must be an S3 bucket name: 3 to 63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit."
  }
}

variable "history_prefix" {
  description = "Key prefix of the scan history inside the bucket, for example \"ipam-monitor/\" in a shared bucket. Empty for the root of the module's own bucket."
  type        = string
  default     = ""
  nullable    = false

  validation {
    condition     = var.history_prefix == "" || can(regex("^[A-Za-z0-9!_.*'()-][A-Za-z0-9!_.*'()/-]*/$", var.history_prefix))
    error_message = "The history_prefix must be empty or end with \"/\", must not start with \"/\", and may hold only letters, digits, \"/\" and !_.*'()-."
  }
}

variable "history_retention_days" {
  description = "Days a day of scan history is kept in the bucket the module creates (a lifecycle rule expires older ones). Forecasts read 30 days by default; previews read the latest day."
  type        = number
  default     = 400
  nullable    = false

  validation {
    condition     = var.history_retention_days >= 7 && var.history_retention_days <= 3650 && floor(var.history_retention_days) == var.history_retention_days
    error_message = "The history_retention_days must be a whole number of days from 7 to 3650: a forecast needs at least a week of history."
  }
}

variable "history_kms_key_arn" {
  description = "ARN of a customer managed KMS key for the scan history. With the module's bucket, objects are encrypted with it (else with S3-managed keys, SSE-S3); with your bucket, name the key its default encryption uses. The function and the CI read policy get the KMS permissions they need through S3 only."
  type        = string
  default     = null

  validation {
    condition     = var.history_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.history_kms_key_arn))
    error_message = "The history_kms_key_arn must be a KMS key ARN such as arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab (not an alias)."
  }
}

variable "history_force_destroy" {
  description = "Let terraform destroy delete the module's history bucket with the history in it. Off by default: the history is what forecasts are made from."
  type        = bool
  default     = false
  nullable    = false
}

variable "history_require_tls" {
  description = "Refuse requests to the module's history bucket that do not use TLS (a bucket policy denying aws:SecureTransport = false). Leave it on; only a local emulator that answers plain HTTP needs it off."
  type        = bool
  default     = true
  nullable    = false
}

variable "create_history_read_policy" {
  description = "Create an IAM managed policy that reads the scan history (and nothing else), to attach to the role your CI assumes for `ipam-monitor preview --history`. The policy document is always in the history_read_policy_json output."
  type        = bool
  default     = false
  nullable    = false
}

################################################################################
# Limits
################################################################################

variable "max_alarms" {
  description = "Most CloudWatch alarms the module may create: the per-scope alarms of the rules file plus the monitor's own (heartbeat, errors and, on Step Functions, scan-failed). Plan fails above it, naming the count. Each alarm costs $0.10 a month; the limit catches a rules file that grew by mistake."
  type        = number
  default     = 1000
  nullable    = false

  validation {
    condition     = var.max_alarms >= 2 && floor(var.max_alarms) == var.max_alarms
    error_message = "The max_alarms limit must be a whole number of at least 2: the heartbeat and errors alarms always exist."
  }
}

################################################################################
# Failure handling (the function's defaults apply when these are null)
################################################################################

variable "plausibility_max_drop_percent" {
  description = "A collection unit (an IPAM scope, an EC2 Region) whose resource count falls by more than this percent from the last complete scan, or to zero, makes the scan partial: nothing in it is reported recovered until the drop is confirmed. null keeps the function's default, 50."
  type        = number
  default     = null

  validation {
    condition     = var.plausibility_max_drop_percent == null || try(var.plausibility_max_drop_percent >= 1 && var.plausibility_max_drop_percent <= 100, false)
    error_message = "The plausibility_max_drop_percent must be a percentage from 1 to 100, or null for the function's default of 50."
  }
}

variable "plausibility_confirmations" {
  description = "Consecutive scans that must see the same drop in a collection unit before it is accepted as real (1 accepts it at once, which turns the check off). null keeps the function's default, 2."
  type        = number
  default     = null

  validation {
    condition     = var.plausibility_confirmations == null || try(var.plausibility_confirmations >= 1 && var.plausibility_confirmations <= 10 && floor(var.plausibility_confirmations) == var.plausibility_confirmations, false)
    error_message = "The plausibility_confirmations must be a whole number of scans from 1 to 10, or null for the function's default of 2."
  }
}

variable "unknown_hold_hours" {
  description = "Hours a resource that was at warning or critical keeps that level after its usage stops being reported (0 turns the hold off). null keeps the function's default, 24."
  type        = number
  default     = null

  validation {
    condition     = var.unknown_hold_hours == null || try(var.unknown_hold_hours >= 0 && var.unknown_hold_hours <= 720, false)
    error_message = "The unknown_hold_hours must be from 0 to 720 hours (30 days), or null for the function's default of 24."
  }
}

variable "scan_timeout_seconds" {
  description = "Wall-clock limit of collection in seconds; then the scan publishes what is safe and fails. It must be shorter than lambda_timeout. null keeps the function's default (480 s, and never later than the function's remaining time allows)."
  type        = number
  default     = null

  validation {
    condition     = var.scan_timeout_seconds == null || try(var.scan_timeout_seconds >= 10 && var.scan_timeout_seconds <= 3600 && floor(var.scan_timeout_seconds) == var.scan_timeout_seconds, false)
    error_message = "The scan_timeout_seconds must be a whole number of seconds from 10 to 3600, or null for the function's default."
  }
}

variable "request_connect_timeout_ms" {
  description = "Connect timeout of every AWS API request in milliseconds; a timed-out request is retried by the SDK. null keeps the function's default, 5000."
  type        = number
  default     = null

  validation {
    condition     = var.request_connect_timeout_ms == null || try(var.request_connect_timeout_ms >= 100 && var.request_connect_timeout_ms <= 60000 && floor(var.request_connect_timeout_ms) == var.request_connect_timeout_ms, false)
    error_message = "The request_connect_timeout_ms must be a whole number of milliseconds from 100 to 60000, or null for the function's default of 5000."
  }
}

variable "request_response_timeout_ms" {
  description = "Time in milliseconds an AWS API request may wait for its response before it is retried by the SDK. null keeps the function's default, 30000."
  type        = number
  default     = null

  validation {
    condition     = var.request_response_timeout_ms == null || try(var.request_response_timeout_ms >= 1000 && var.request_response_timeout_ms <= 300000 && floor(var.request_response_timeout_ms) == var.request_response_timeout_ms, false)
    error_message = "The request_response_timeout_ms must be a whole number of milliseconds from 1000 to 300000, or null for the function's default of 30000."
  }
}
