package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/eksnet/eksnet/internal/ec2fake"
	"github.com/eksnet/eksnet/internal/limits"
)

func servedTypes() []string {
	var names []string
	for _, r := range ec2fake.Records() {
		names = append(names, string(r.InstanceType))
	}
	return names
}

// The first "done when" of issue 3: for every served type and every mode,
// `maxpods --live -o json` is byte for byte the offline output.
func TestLiveMaxPodsEqualsOfflineInEveryMode(t *testing.T) {
	ec2fake.SetTestEnv(t)
	s := ec2fake.Start(ec2fake.Records())
	defer s.Close()
	modes := [][]string{
		nil,
		{"--prefix-delegation"},
		{"--prefix-delegation", "--show-max-allowed"},
		{"--custom-networking"},
		{"--security-groups-for-pods"},
		{"--custom-networking", "--security-groups-for-pods", "--max-eni", "3"},
		{"--ip-family", "ipv6"},

		{"--node-group"},
		{"--node-group", "--prefix-delegation"},
	}
	types := servedTypes()
	for _, mode := range modes {
		args := append(append([]string{"maxpods"}, types...), append(mode, "-o", "json")...)
		offline, stderr, code := run(t, args...)
		if code != 0 {
			t.Fatalf("offline %v: %s", mode, stderr)
		}
		live, stderr, code := run(t, append(args, "--live", "--endpoint-url", s.URL())...)
		if code != 0 {
			t.Fatalf("live %v: %s", mode, stderr)
		}
		if live != offline {
			t.Errorf("mode %v: live output differs from offline", mode)
		}
	}
	// A type alone is strict (a mode it cannot run is an error), both ways.
	for _, name := range []string{"c3.large", "m4.xlarge", "m1.small", "m5.metal", "p5.48xlarge", "t3.medium"} {
		for _, mode := range [][]string{nil, {"--prefix-delegation"}, {"--ip-family", "ipv6"}} {
			args := append(append([]string{"maxpods", name}, mode...), "-o", "json")
			offline, offErr, offCode := run(t, args...)
			live, liveErr, liveCode := run(t, append(args, "--live", "--endpoint-url", s.URL())...)
			if live != offline || liveCode != offCode || liveErr != offErr {
				t.Errorf("%s %v: live (%d %q) differs from offline (%d %q)", name, mode, liveCode, liveErr, offCode, offErr)
			}
		}
	}
}

func TestLimitsLiveEqualsOffline(t *testing.T) {
	ec2fake.SetTestEnv(t)
	s := ec2fake.Start(ec2fake.Records())
	defer s.Close()
	for _, name := range []string{"p5.48xlarge", "c6in.32xlarge", "m5.metal", "c3.large"} {
		offline, _, _ := run(t, "limits", "show", name, "-o", "json")
		live, stderr, code := run(t, "limits", "show", name, "-o", "json", "--live", "--endpoint-url", s.URL())
		if code != 0 || live != offline {
			t.Errorf("%s: live differs from offline (exit %d, %s)", name, code, stderr)
		}
	}
	// `limits list --live` pages through every served type.
	live, stderr, code := run(t, "limits", "list", "-o", "json", "--live", "--endpoint-url", s.URL())
	if code != 0 {
		t.Fatal(stderr)
	}
	offline, _, _ := run(t, "limits", "list", "-o", "json")
	var liveFacts, offlineFacts []map[string]any
	if err := json.Unmarshal([]byte(live), &liveFacts); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(offline), &offlineFacts); err != nil {
		t.Fatal(err)
	}
	served := servedTypes()
	offlineFacts = slices.DeleteFunc(offlineFacts, func(f map[string]any) bool {
		return !slices.Contains(served, f["instanceType"].(string))
	})
	if len(liveFacts) != 56 || !reflect.DeepEqual(liveFacts, offlineFacts) {
		t.Errorf("limits list --live gives %d types, not the offline facts of the 56 served", len(liveFacts))
	}
}

// A type EC2 knows but the embedded table lacks shows trunking as unknown.
func TestLiveTypeUnknownToTheTable(t *testing.T) {
	ec2fake.SetTestEnv(t)
	r := ec2fake.Records()[0]
	r.InstanceType = "m99.large"
	s := ec2fake.Start([]ec2types.InstanceTypeInfo{r})
	defer s.Close()
	out, stderr, code := run(t, "limits", "show", "m99.large", "--live", "--endpoint-url", s.URL())
	if code != 0 || !strings.Contains(out, "trunking           unknown\n") {
		t.Errorf("exit %d %s\n%s", code, stderr, out)
	}
	out, _, code = run(t, "maxpods", "m99.large", "--security-groups-for-pods", "--live", "--endpoint-url", s.URL())
	if code != 0 || !strings.Contains(out, "whether this type supports trunking is unknown") {
		t.Errorf("exit %d\n%s", code, out)
	}
}

func TestUpdateSummaryTable(t *testing.T) {
	ec2fake.SetTestEnv(t)
	records := ec2fake.Records()
	s := ec2fake.Start(records)
	defer s.Close()
	s.SetRegions("eu-west-1", "us-east-1")
	eu := slices.Clone(records)
	for i, r := range eu {
		if r.InstanceType == "m5.xlarge" {
			n := *r.NetworkInfo
			n.Ipv4AddressesPerInterface = aws.Int32(16)
			eu[i].NetworkInfo = &n
		}
	}
	s.SetRegionRecords("eu-west-1", eu)

	// The old file: the served types, with p5.48xlarge counting every card
	// (the mistake docs/max-pods.md warns of) and without t3.medium.
	table, err := limits.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	var old []limits.Instance
	for _, name := range servedTypes() {
		inst, _ := table.Get(name)
		switch name {
		case "p5.48xlarge":
			inst.MaxENIs = 64
			inst.NetworkCards = []limits.NetworkCard{{Index: 0, MaxENIs: 64}}
		case "t3.medium":
			continue
		}
		old = append(old, inst)
	}
	inst, _ := table.Get("c1.xlarge")
	old = append(old, inst)
	oldTable, err := limits.NewTable(table.Header(), old)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "limits.json")
	if err := writeTableFile(path, oldTable); err != nil {
		t.Fatal(err)
	}

	oldBytes, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	// The JSON summary: camelCase fields, as the README lists them.
	streams, _, out, errOut := TestStreams()
	if code := Main(context.Background(), []string{"limits", "update", "--endpoint-url", s.URL(), "--limits-file", path, "-o", "json"}, streams); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, out.Bytes()); err != nil {
		t.Fatal(err)
	}
	wantJSON := `{"out":` + strconv.Quote(path) + `,"regions":["eu-west-1","us-east-1"],"fetched":56,"instances":57,` +
		`"added":[{"instanceType":"t3.medium","newMaxPods":17}],"removed":[],` +
		`"changed":[{"instanceType":"p5.48xlarge","oldMaxPods":250,"newMaxPods":100,"fields":["maxENIs","networkCards"]}],"unchanged":53,` +
		`"conflicts":[{"instanceType":"m5.xlarge","regions":["eu-west-1","us-east-1"],"fields":["ipv4PerENI"],"kept":true}],` +
		`"notReturned":["c1.xlarge"]}`
	if compact.String() != wantJSON {
		t.Errorf("JSON summary:\n%s\nwant:\n%s", compact.String(), wantJSON)
	}

	// The table, from the same old file.
	if err := os.WriteFile(path, oldBytes, 0o644); err != nil {
		t.Fatal(err)
	}
	streams, _, out, errOut = TestStreams()
	code := Main(context.Background(), []string{"limits", "update", "--endpoint-url", s.URL(), "--limits-file", path}, streams)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	want := `TYPE          CHANGE     OLD MAX PODS   NEW MAX PODS   DETAIL
t3.medium     added      -              17
p5.48xlarge   changed    250            100            maxENIs,networkCards
m5.xlarge     conflict   -              -              ipv4PerENI differ between regions eu-west-1 / us-east-1; old entry kept

wrote ` + path + `: 57 instance types; EC2 returned 56 from 2 regions (eu-west-1, us-east-1)
1 added, 0 removed, 1 changed, 53 unchanged, 1 in conflict (max pods: default VPC CNI settings)
1 type that no region returned was kept (--prune removes them)
`
	if out.String() != want {
		t.Errorf("summary:\n%s\nwant:\n%s", out, want)
	}
	if errOut.Len() != 0 {
		t.Errorf("stderr is not a terminal, yet got %q", errOut)
	}
	written, err := limits.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if p5, _ := written.Get("p5.48xlarge"); p5.MaxENIs != 2 || len(p5.NetworkCards) != 32 {
		t.Errorf("p5.48xlarge = %+v", p5)
	}
	h := written.Header()
	if h.GeneratedAt != time.Now().UTC().Format(time.DateOnly) || h.Sources[len(h.Sources)-1] != "EC2 DescribeInstanceTypes (all regions), eksnet limits update" {
		t.Errorf("header = %+v", h)
	}

	// On a terminal, a progress bar goes to stderr (regions done of all,
	// pages read) and is cleared at the end.
	streams, _, _, errOut = TestStreams()
	streams.ErrIsTerminal = true
	if code := Main(context.Background(), []string{"limits", "update", "--endpoint-url", s.URL(), "--regions", "us-east-1", "--out", path, "-o", "json"}, streams); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	got := errOut.String()
	lines := strings.Split(got, "\r")
	if !strings.Contains(got, "asking EC2: 1 page read") || !strings.Contains(got, "(0/1)") ||
		strings.TrimSpace(lines[len(lines)-2]) != "" || lines[len(lines)-1] != "" {
		t.Errorf("progress = %q, want the bar drawn, then cleared", got)
	}
}

// Cancelling the context (Ctrl-C) mid-update writes nothing.
func TestInterruptedUpdateLeavesTheFileByteIdentical(t *testing.T) {
	ec2fake.SetTestEnv(t)
	s := ec2fake.Start(ec2fake.Records())
	defer s.Close()
	s.SetDelay(10 * time.Second)
	path := filepath.Join(t.TempDir(), "limits.json")
	before := []byte(`{"header":{},"instances":{"x.large":{"maxENIs":3,"ipv4PerENI":10,"networkCards":[{"index":0,"maxENIs":3}],"defaultNetworkCardIndex":0}}}`)
	if err := os.WriteFile(path, before, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		s.WaitReceived(1, 10*time.Second)
		cancel()
	}()
	streams, _, out, errOut := TestStreams()
	code := Main(ctx, []string{"limits", "update", "--endpoint-url", s.URL(), "--regions", "us-east-1,eu-west-1", "--out", path}, streams)
	if code != 1 || errOut.String() != "eksnet: interrupted\n" || out.Len() != 0 {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	after, _ := os.ReadFile(path)
	if string(after) != string(before) {
		t.Error("the file changed")
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
}

func writeTableFile(path string, t *limits.Table) error {
	p, err := limits.PrepareFile(path, t)
	if err != nil {
		return err
	}
	return p.Commit(context.Background())
}
