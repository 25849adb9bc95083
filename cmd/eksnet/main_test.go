package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/eksnet/eksnet/internal/ec2fake"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"eksnet": func() { os.Exit(runProcess()) },
	})
}

// TestScripts runs the whole-command scripts in testdata/script.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join("testdata", "script"),
		Setup: func(env *testscript.Env) error {
			// No user config or AWS settings leak into the scripts.
			env.Setenv("XDG_CONFIG_HOME", filepath.Join(env.WorkDir, ".config"))
			env.Setenv("HOME", env.WorkDir)
			for k, v := range ec2fake.TestEnv(env.WorkDir) {
				env.Setenv(k, v)
			}
			env.Values[fakesKey] = &fakes{}
			// $TESTDATA holds the fixtures and golden files the scripts share with the Go tests.
			testdata, err := filepath.Abs("testdata")
			if err != nil {
				return err
			}
			env.Setenv("TESTDATA", testdata)
			// Under -race each eksnet process would otherwise sleep a second
			// before exiting (the race runtime's atexit_sleep_ms).
			env.Setenv("GORACE", strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"ec2fake":  ec2fakeCmd,
			"ec2wait":  ec2waitCmd,
			"imdsmock": imdsmockCmd,
		},
	})
}

// run executes eksnet in-process and returns its stdout, stderr and status.
func run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	streams, _, out, errOut := TestStreams()
	code = Main(context.Background(), args, streams)
	return out.String(), errOut.String(), code
}

// golden compares got with testdata/golden/NAME, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/eksnet -update to create it)", err)
	}
	if !bytes.Equal(want, []byte(got)) {
		t.Errorf("%s differs from the golden file (go test ./cmd/eksnet -update rewrites it)\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// goldenCase is one command whose stdout is pinned by a golden file, with the
// exit status and stderr it must give.
type goldenCase struct {
	golden string
	args   []string
	code   int
	stderr string
}

func runGoldenCases(t *testing.T, cases []goldenCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.golden, func(t *testing.T) {
			stdout, stderr, code := run(t, tt.args...)
			if code != tt.code || stderr != tt.stderr {
				t.Fatalf("eksnet %s: exit %d, stderr %q; want %d, %q", strings.Join(tt.args, " "), code, stderr, tt.code, tt.stderr)
			}
			golden(t, tt.golden, stdout)
		})
	}
}

func TestGoldenOutput(t *testing.T) {
	tests := []goldenCase{
		{"maxpods-c3.large.txt", []string{"maxpods", "c3.large"}, 0, ""},
		{"maxpods-mixed-prefix-wide.txt", []string{"maxpods", "c3.large", "m5.large", "p5.48xlarge", "c5.18xlarge", "m5.metal", "--prefix-delegation", "-o", "wide"}, 0, ""},
		{"maxpods-custom-sgp.txt", []string{"maxpods", "m5.large", "c3.large", "t3.medium", "--custom-networking", "--security-groups-for-pods"}, 0, ""},
		{"maxpods-ipv6-mixed.txt", []string{"maxpods", "m5.large", "c3.large", "--ip-family", "ipv6"}, 0, ""},
		{"maxpods-node-group.txt", []string{"maxpods", "m5.xlarge", "t3.medium", "m5.large", "--node-group"}, 0, ""},
		{"maxpods-m5.large.json", []string{"maxpods", "m5.large", "--prefix-delegation", "-o", "json"}, 0, ""},
		{"maxpods-m5.large.yaml", []string{"maxpods", "m5.large", "--prefix-delegation", "-o", "yaml"}, 0, ""},
		{"limits-list-m5.txt", []string{"limits", "list", "m5.*"}, 0, ""},
		{"limits-list-p5-wide.txt", []string{"limits", "list", "p5*", "-o", "wide"}, 0, ""},
		{"limits-show-p5.48xlarge.txt", []string{"limits", "show", "p5.48xlarge"}, 0, ""},
		{"limits-show-c3.large.json", []string{"limits", "show", "c3.large", "-o", "json"}, 0, ""},
		{"limits-show-m5.metal.yaml", []string{"limits", "show", "m5.metal", "-o", "yaml"}, 0, ""},
		{"limits-list-p5.json", []string{"limits", "list", "p5*", "-o", "json"}, 0, ""},
		{"limits-list-p5.txt", []string{"limits", "list", "p5*", "-o", "value"}, 0, ""},
	}
	runGoldenCases(t, tests)
}

// The maxpods issue's "done when" values, through the whole command.
func TestMaxPodsDoneWhen(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"maxpods", "c3.large", "-o", "value"}, "29\n"},
		{[]string{"maxpods", "c3.large", "--custom-networking", "-o", "value"}, "20\n"},
		{[]string{"maxpods", "m5.large", "--prefix-delegation", "-o", "value"}, "110\n"},
		{[]string{"maxpods", "m5.large", "--prefix-delegation", "--show-max-allowed", "-o", "value"}, "434\n"},
		{[]string{"maxpods", "p5.48xlarge", "-o", "value"}, "100\n"},
		{[]string{"maxpods", "c5.18xlarge", "-o", "value"}, "250\n"},
		{[]string{"maxpods", "c5.18xlarge", "--show-max-allowed", "-o", "value"}, "737\n"},
		// The legacy calculator's spellings print the bare number, as it did.
		{[]string{"maxpods", "--instance-type", "m5.large", "--cni-version", "1.9.0", "--cni-prefix-delegation-enabled"}, "110\n"},
		{[]string{"maxpods", "--instance-type", "c3.large", "--cni-custom-networking-enabled"}, "20\n"},
		{[]string{"maxpods", "--instance-type", "m5.large", "--cni-max-eni", "2"}, "20\n"},
	}
	for _, tt := range tests {
		stdout, stderr, code := run(t, tt.args...)
		if code != 0 || stdout != tt.want {
			t.Errorf("eksnet %s = %q (exit %d, stderr %q), want %q", strings.Join(tt.args, " "), stdout, code, stderr, tt.want)
		}
	}
}

func TestMaxPodsFlagsParse(t *testing.T) {
	f := &factory{}
	var got *maxPodsOptions
	cmd := newMaxPodsCmd(f, func(o *maxPodsOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"m5.large", "--instance-type", "c3.large", "--cni-max-eni", "2", "--cni-custom-networking-enabled", "-o", "json", "--node-group"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got.types, ",") != "m5.large,c3.large" || got.cni.cfg.MaxENI != 2 || !got.cni.cfg.CustomNetworking ||
		got.output != "json" || !got.nodeGroup || !got.outputChanged {
		t.Errorf("parsed options = %+v", got)
	}
}

func TestEnvironmentSetsFlagDefaults(t *testing.T) {
	t.Setenv("EKSNET_CNI_VERSION", "1.8.0")
	_, stderr, code := run(t, "maxpods", "m5.large", "--prefix-delegation")
	if code != 1 || stderr != "eksnet: prefix delegation needs VPC CNI 1.9.0 or later, not 1.8.0\n" {
		t.Errorf("EKSNET_CNI_VERSION ignored: exit %d, %q", code, stderr)
	}
	// A flag on the command line wins over the environment.
	stdout, _, code := run(t, "maxpods", "m5.large", "--prefix-delegation", "--cni-version", "1.9.0", "-o", "value")
	if code != 0 || stdout != "110\n" {
		t.Errorf("flag should win: exit %d, %q", code, stdout)
	}
}

func BenchmarkMaxPodsAllJSON(b *testing.B) {
	for b.Loop() {
		streams, _, _, _ := TestStreams()
		if code := Main(context.Background(), []string{"maxpods", "--all", "-o", "json"}, streams); code != 0 {
			b.Fatal("exit", code)
		}
	}
}
