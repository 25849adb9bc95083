package ec2fake

import (
	"path/filepath"
	"testing"
)

// TestEnv is the AWS environment of a test that talks to a fake endpoint:
// static test credentials, region us-east-1, shared config and credentials
// files under dir/.aws (absent unless the test writes them), and no
// instance metadata lookups, so nothing of the machine's AWS settings leaks
// in and nothing reaches AWS. Set each variable, empty ones included.
func TestEnv(dir string) map[string]string {
	return map[string]string{
		"AWS_ACCESS_KEY_ID":           "AKIDEKSNETTEST",
		"AWS_SECRET_ACCESS_KEY":       "eksnet-test-secret",
		"AWS_SESSION_TOKEN":           "",
		"AWS_REGION":                  "us-east-1",
		"AWS_DEFAULT_REGION":          "",
		"AWS_PROFILE":                 "",
		"AWS_DEFAULT_PROFILE":         "",
		"AWS_ENDPOINT_URL":            "",
		"AWS_ENDPOINT_URL_EC2":        "",
		"AWS_MAX_ATTEMPTS":            "",
		"AWS_RETRY_MODE":              "",
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWS_CONFIG_FILE":             filepath.Join(dir, ".aws", "config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, ".aws", "credentials"),
	}
}

// SetTestEnv sets TestEnv, with a directory of t's own, for the rest of t.
func SetTestEnv(t testing.TB) {
	t.Helper()
	for k, v := range TestEnv(t.TempDir()) {
		t.Setenv(k, v)
	}
}
