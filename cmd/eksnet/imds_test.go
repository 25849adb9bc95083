package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// The IMDS path is tested against AWS's own emulator, amazon-ec2-metadata-mock
// (a tool of this module, go.mod's tool directive), built once per test run.
var (
	mockOnce sync.Once
	mockBin  string
	mockErr  error
)

func buildMetadataMock() (string, error) {
	mockOnce.Do(func() {
		dir, err := os.MkdirTemp("", "eksnet-imds-mock-")
		if err != nil {
			mockErr = err
			return
		}
		mockBin = filepath.Join(dir, "ec2-metadata-mock")
		out, err := exec.Command("go", "build", "-o", mockBin, "github.com/aws/amazon-ec2-metadata-mock/cmd/ec2-metadata-mock").CombinedOutput()
		if err != nil {
			mockErr = fmt.Errorf("go build ec2-metadata-mock: %v\n%s", err, out)
		}
	})
	return mockBin, mockErr
}

// imdsmockCmd is the script command
//
//	imdsmock [TYPE]
//
// which starts amazon-ec2-metadata-mock on 127.0.0.1 (IMDSv2 only), serving
// TYPE as the node's instance type (its default is m4.xlarge), and points
// AWS_EC2_METADATA_SERVICE_ENDPOINT at it for the rest of the script.
func imdsmockCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) > 1 {
		ts.Fatalf("usage: imdsmock [TYPE]")
	}
	bin, err := buildMetadataMock()
	if err != nil {
		ts.Fatalf("%v", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		ts.Fatalf("%v", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	mockArgs := []string{"-n", "127.0.0.1", "-p", fmt.Sprint(port), "-I"}
	if len(args) == 1 {
		config := filepath.Join(ts.Getenv("WORK"), "imds-mock.json")
		ts.Check(os.WriteFile(config, []byte(fmt.Sprintf(`{"metadata": {"values": {"instance-type": %q}}}`, args[0])), 0o644))
		mockArgs = append(mockArgs, "-c", config)
	}
	cmd := exec.Command(bin, mockArgs...)
	cmd.Dir = ts.Getenv("WORK")
	cmd.Env = append(os.Environ(), "HOME="+ts.Getenv("WORK"))
	ts.Check(cmd.Start())
	ts.Defer(func() { cmd.Process.Kill(); cmd.Wait() })
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(url + "/latest/api/token")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			ts.Fatalf("ec2-metadata-mock did not start on %s", url)
		}
		time.Sleep(20 * time.Millisecond)
	}
	ts.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", url)
}
