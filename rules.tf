################################################################################
# Rules: the scopes of the rules file, checked at plan, which drive the alarms and the dashboard
################################################################################

# The same file drives the scanner (inside the package) and the alarms and dashboard (here).
module "rules" {
  source = "./modules/rules"

  rules_file = var.rules_file
}

locals {
  rules_problems = module.rules.problems

  # While the file has problems nothing is derived from it: the plan fails on them alone, not on
  # a second error they cause further on.
  # In rules-file order, for the dashboard.
  scope_names = [for name in module.rules.scope_names : name if length(local.rules_problems) == 0]

  # By scope name: description, thresholds (every field of the schema after defaults, null when
  # unset), resource_metrics, and levels: how its warning and critical levels read.
  scopes = { for name, scope in module.rules.scopes : name => scope if length(local.rules_problems) == 0 }

  any_resource_metrics = anytrue([for scope in values(local.scopes) : scope.resource_metrics])

  # What identifies the code the function runs; see terraform_data.rules.
  package_identity = local.build_package ? local.package_file : try(filebase64sha256(var.lambda_package), "")

  # Limits checked at plan. CloudWatch allows 500 widgets on a dashboard (Dashboard Body Structure
  # and Syntax, CloudWatch API reference); the alarm limit is the module's own, a cost guard.
  dashboard_widgets = length(jsondecode(local.dashboard_body).widgets)
  alarm_count       = sum(concat([for kind in values(local.scope_alarm_kinds) : length(kind.alarms)], [length(local.own_alarms)]))
  # The monitor's own alarms: heartbeat, errors and, on Step Functions, scan-failed (fan-out.tf).
  own_alarms = concat(["heartbeat", "errors"], local.use_state_machine ? ["scan-failed"] : [])
}

# The rules the deployed alarms and dashboard were made from. Its preconditions check the file at
# plan, so a file the build would refuse fails the plan instead of the apply.
#
# It is also what keeps a failed build from disarming production. The scope alarms and the
# dashboard change only after the function took its new package (they depend on it), and this
# resource, which depends on them, is replaced whenever the package changes. Being
# create_before_destroy, its old instance is destroyed only after the new one exists, and the
# alarms of a removed or renamed scope, which it depended on, only after that. So when the build
# or the function update fails, the function, its alarms and its dashboard stay exactly as they
# were, and the next successful apply finishes the change.
resource "terraform_data" "rules" {
  triggers_replace = {
    package = local.package_identity
    rules   = try(filesha256(var.rules_file), "")
  }

  depends_on = [module.scope_alarms, aws_cloudwatch_dashboard.this]

  lifecycle {
    create_before_destroy = true

    precondition {
      condition     = length(local.rules_problems) == 0
      error_message = "The rules file ${var.rules_file} has ${length(local.rules_problems)} problem${length(local.rules_problems) == 1 ? "" : "s"}:\n  - ${join("\n  - ", local.rules_problems)}\nscripts/ipam-monitor validate FILE (in a checkout of this module) shows each one at its line and column."
    }

    precondition {
      condition     = !var.create_dashboard || local.dashboard_widgets <= 500
      error_message = "The dashboard would have ${local.dashboard_widgets} widgets (two for each of the ${length(local.scopes)} scopes, and the monitor's own); CloudWatch allows 500 on one dashboard. Set create_dashboard = false, or split the scopes over several deployments of the module, each with its own name and rules file."
    }

    precondition {
      condition     = local.alarm_count <= var.max_alarms
      error_message = "The rules file would make ${local.alarm_count} CloudWatch alarms (${join(", ", concat([for kind, spec in local.scope_alarm_kinds : "${length(spec.alarms)} ${kind}"], local.own_alarms))}), more than max_alarms (${var.max_alarms}). Each alarm costs $0.10 a month: raise max_alarms if this is intended, or set create_warning_alarms = false, or merge scopes."
    }
  }
}
