# The only file that points this configuration at the local AWS emulator of scripts/demo and the
# end-to-end test: keys the emulator accepts, and no checks that need real AWS. The emulator's
# address reaches the provider through AWS_ENDPOINT_URL, which those scripts set for their own
# terraform runs only.
#
# Delete this file to deploy the same configuration to a real account with your usual credentials.
provider "aws" {
  access_key                  = "emulator"
  secret_key                  = "emulator"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  # The emulator answers S3 at its own address, not at <bucket>.<address>.
  s3_use_path_style = true
}

module "ipam_monitor" {
  # The emulator answers plain HTTP on loopback, which the history bucket's TLS-only policy would
  # refuse; a real account keeps the policy.
  history_require_tls = false
}
