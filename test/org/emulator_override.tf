# Copied into the working copy of examples/organization by org_e2e.py: keys the emulator accepts, no
# checks that need real AWS, and S3 addressed by path (the emulator has no DNS for bucket names).
# The emulator's address reaches the providers through AWS_ENDPOINT_URL.
provider "aws" {
  access_key                  = "emulator"
  secret_key                  = "emulator"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  s3_use_path_style           = true
}

provider "aws" {
  alias                       = "baseline"
  access_key                  = "emulator"
  secret_key                  = "emulator"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  s3_use_path_style           = true
}
