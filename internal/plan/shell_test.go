package plan

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eksnet/eksnet/internal/cni"
)

// The printed kubectl line is a shell line people pipe to sh: every value is
// quoted by mvdan.cc/sh's encoder, so even a hostile value (which
// validation refuses before it gets here) reaches kubectl as one argument
// and runs nothing. The line is executed by /bin/sh with a stub kubectl.
func TestKubectlLineRunsNothingInjected(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	dir := t.TempDir()
	stub := filepath.Join(dir, "kubectl")
	if err := os.WriteFile(stub, []byte("#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	// A control character cannot be written as a POSIX shell word: refused.
	c := cni.DefaultConfig()
	c.CustomNetworking, c.ENIConfigLabel = true, "a\ntouch PWNED"
	if _, err := cniEnv(c); err == nil || !strings.Contains(err.Error(), "cannot be written as a shell word") {
		t.Errorf("newline: %v", err)
	}
	for _, hostile := range []string{"x; touch PWNED #", "$(touch PWNED)", "`touch PWNED`", "a && touch PWNED", "a | touch PWNED", "a > PWNED", "it's", "$HOME"} {
		c := cni.DefaultConfig()
		c.CustomNetworking, c.ENIConfigLabel = true, hostile
		res, err := cniEnv(c)
		if err != nil {
			t.Fatalf("%q: %v", hostile, err)
		}
		cmd := exec.Command(sh, "-c", res.KubectlSetEnv)
		cmd.Dir = dir
		cmd.Env = []string{"PATH=" + dir + ":/usr/bin:/bin"}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%q: sh: %v\n%s", hostile, err, out)
		}
		if _, err := os.Stat(filepath.Join(dir, "PWNED")); err == nil {
			t.Fatalf("%q: the line ran an injected command: %s", hostile, res.KubectlSetEnv)
		}
		args := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
		want := "ENI_CONFIG_LABEL_DEF=" + hostile
		if !strings.Contains(string(out), want) || len(args) < 6 {
			t.Errorf("%q: kubectl got %q, want an argument %q", hostile, args, want)
		}
	}
}
