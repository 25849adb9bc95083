package ec2limits

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/eksnet/eksnet/internal/ec2fake"
	"github.com/eksnet/eksnet/internal/limits"
	"github.com/eksnet/eksnet/internal/vpc"
)

// awsEnv isolates a test from the machine's AWS settings (ec2fake.TestEnv),
// with no region: each test names its own.
func awsEnv(t *testing.T) {
	t.Helper()
	ec2fake.SetTestEnv(t)
	t.Setenv("AWS_REGION", "")
}

// fastRetries keeps the standard retryer but with millisecond backoff.
func fastRetries(endpoint string) Options {
	return Options{Region: "us-east-1", EndpointURL: endpoint, MaxAttempts: 3, MaxBackoff: time.Millisecond}
}

// start serves records and returns the server and a client for region us-east-1.
func start(t *testing.T, records []ec2types.InstanceTypeInfo) (*ec2fake.Server, API) {
	t.Helper()
	awsEnv(t)
	s := ec2fake.Start(records)
	t.Cleanup(s.Close)
	opts := fastRetries(s.URL())
	cfg, err := LoadConfig(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return s, NewClient(cfg, opts, "")
}

func embedded(t *testing.T) *limits.Table {
	t.Helper()
	table, err := limits.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	return table
}

func names(records []ec2types.InstanceTypeInfo) []string {
	out := make([]string, len(records))
	for i, r := range records {
		out[i] = string(r.InstanceType)
	}
	return out
}

func TestFetchAllPagesThroughEveryType(t *testing.T) {
	s, api := start(t, ec2fake.Records())
	s.SetPageSize(7)
	records, err := FetchAll(context.Background(), api)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := names(records), names(ec2fake.Records()); !slices.Equal(got, want) {
		t.Fatalf("FetchAll returned %d types, want the %d served", len(got), len(want))
	}
	var tokens []string
	for _, r := range s.Requests() {
		if r.Action != "DescribeInstanceTypes" || r.MaxResults != 100 || len(r.InstanceTypes) != 0 {
			t.Errorf("request %+v", r)
		}
		tokens = append(tokens, r.NextToken)
	}
	want := []string{"", "page-7", "page-14", "page-21", "page-28", "page-35", "page-42", "page-49"}
	if !slices.Equal(tokens, want) {
		t.Errorf("NextToken sequence = %q, want %q", tokens, want)
	}
}

func TestFetchSendsTheInstanceTypesParameter(t *testing.T) {
	s, api := start(t, ec2fake.Records())
	records, err := Fetch(context.Background(), api, []string{"M5.Large", " c3.large", "p5.48xlarge", "m5.large"})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(records); !slices.Equal(got, []string{"c3.large", "m5.large", "p5.48xlarge"}) {
		t.Errorf("records = %v", got)
	}
	reqs := s.Requests()
	if len(reqs) != 1 || !slices.Equal(reqs[0].InstanceTypes, []string{"m5.large", "c3.large", "p5.48xlarge"}) ||
		reqs[0].Region != "us-east-1" || reqs[0].MaxResults != 0 {
		t.Errorf("requests = %+v", reqs)
	}
}

// More than 100 names take several calls of at most 100 (EC2 refuses more).
func TestFetchAsksForAtMost100TypesACall(t *testing.T) {
	base := ec2fake.Records()[0]
	var records []ec2types.InstanceTypeInfo
	var want []string
	for i := range 250 {
		r := base
		r.InstanceType = ec2types.InstanceType(fmt.Sprintf("zz%03d.large", i))
		records = append(records, r)
		want = append(want, string(r.InstanceType))
	}
	s, api := start(t, records)
	got, err := Fetch(context.Background(), api, want)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(names(got), want) {
		t.Errorf("got %d records", len(got))
	}
	var sizes []int
	for _, r := range s.Requests() {
		sizes = append(sizes, len(r.InstanceTypes))
	}
	if !slices.Equal(sizes, []int{100, 100, 50}) {
		t.Errorf("names per call = %v, want [100 100 50]", sizes)
	}
}

func TestFetchMatchingUsesTheInstanceTypeFilter(t *testing.T) {
	s, api := start(t, ec2fake.Records())
	records, err := FetchMatching(context.Background(), api, []string{"T2.*", "m5.?large"})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(records); !slices.Equal(got, []string{"m5.xlarge", "t2.2xlarge", "t2.medium", "t2.micro", "t2.nano"}) {
		t.Errorf("records = %v", got)
	}
	if f := s.Requests()[0].Filters; !reflect.DeepEqual(f, map[string][]string{"instance-type": {"t2.*", "m5.?large"}}) {
		t.Errorf("filters = %v", f)
	}
}

// The live path gives exactly the embedded table's facts for every served
// type: every field, the trunking data carried over from the table.
func TestEveryMappedRecordEqualsTheEmbeddedEntry(t *testing.T) {
	_, api := start(t, ec2fake.Records())
	table := embedded(t)
	records, err := FetchAll(context.Background(), api)
	if err != nil {
		t.Fatal(err)
	}
	instances, err := ToInstances(records, table)
	if err != nil {
		t.Fatal(err)
	}
	if len(instances) != 56 {
		t.Fatalf("%d instances", len(instances))
	}
	for _, got := range instances {
		want, ok := table.Get(got.Name)
		if !ok {
			t.Errorf("%s is not in the embedded table", got.Name)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: live %+v\nembedded %+v (fields %v)", got.Name, got, want, limits.ChangedFields(want, got))
		}
	}
}

func record(t *testing.T, name string) ec2types.InstanceTypeInfo {
	t.Helper()
	for _, r := range ec2fake.Records() {
		if string(r.InstanceType) == name {
			return r
		}
	}
	t.Fatalf("no fixture record %s", name)
	return ec2types.InstanceTypeInfo{}
}

func TestToInstance(t *testing.T) {
	table := embedded(t)
	yes, branches := true, 107
	tests := []struct {
		name                               string
		vcpus, enis, ipv4, ipv6, cards     int
		total                              int
		hypervisor                         string
		bareMetal, ipv6OK, trunkingUnknown bool
		memory                             int
	}{
		// Multi-card types: maxENIs is card 0's, never the total (docs/max-pods.md).
		{"p5.48xlarge", 192, 2, 50, 50, 32, 64, "nitro", false, true, false, 2097152},
		{"c6in.32xlarge", 128, 8, 50, 50, 2, 16, "nitro", false, true, false, 262144},
		{"p4d.24xlarge", 96, 15, 50, 50, 4, 60, "nitro", false, true, false, 1179648},
		{"trn1n.32xlarge", 128, 5, 50, 50, 16, 80, "nitro", false, true, false, 524288},
		// Bare metal: the API gives no hypervisor.
		{"m5.metal", 96, 15, 50, 50, 1, 15, "", true, true, false, 393216},
		{"c3.large", 2, 3, 10, 10, 1, 3, "xen", false, true, false, 3840},
		{"m1.small", 1, 2, 4, 0, 1, 2, "xen", false, false, false, 1740},
		{"t3.medium", 2, 3, 6, 6, 1, 3, "nitro", false, true, false, 4096},
		{"m5.large", 2, 3, 10, 10, 1, 3, "nitro", false, true, false, 8192},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inst, err := ToInstance(record(t, tt.name), table)
			if err != nil {
				t.Fatal(err)
			}
			_, known := inst.SupportsTrunking()
			if inst.Name != tt.name || inst.VCPUs != tt.vcpus || inst.MaxENIs != tt.enis || inst.IPv4PerENI != tt.ipv4 ||
				inst.IPv6PerENI != tt.ipv6 || len(inst.NetworkCards) != tt.cards || inst.TotalENIs() != tt.total ||
				inst.Hypervisor != tt.hypervisor || inst.BareMetal != tt.bareMetal || inst.IPv6Supported != tt.ipv6OK ||
				known == tt.trunkingUnknown || inst.MemoryMiB != tt.memory || inst.DefaultNetworkCardIndex != 0 {
				t.Errorf("ToInstance = %+v", inst)
			}
		})
	}

	// A type the embedded table lacks: trunking and branch ENIs unknown.
	newType := record(t, "m5.large")
	newType.InstanceType = "m99.large"
	inst, err := ToInstance(newType, table)
	if err != nil || inst.Trunking != nil || inst.BranchInterfaces != nil || inst.MaxENIs != 3 {
		t.Errorf("unknown type: %+v %v", inst, err)
	}
	// Without a known table at all, the same.
	if inst, err := ToInstance(record(t, "m5.large"), nil); err != nil || inst.Trunking != nil {
		t.Errorf("nil known table: %+v %v", inst, err)
	}
	// And the trunking data comes from the table, never guessed.
	if inst, _ := ToInstance(record(t, "c5.18xlarge"), table); !reflect.DeepEqual(inst.Trunking, &yes) || !reflect.DeepEqual(inst.BranchInterfaces, &branches) {
		t.Errorf("c5.18xlarge trunking %v branches %v", inst.Trunking, inst.BranchInterfaces)
	}
}

func TestToInstanceOddRecords(t *testing.T) {
	noCards := record(t, "m5.large")
	net := *noCards.NetworkInfo
	net.NetworkCards = nil
	noCards.NetworkInfo = &net
	inst, err := ToInstance(noCards, nil)
	if err != nil || inst.MaxENIs != 3 || !reflect.DeepEqual(inst.NetworkCards, []limits.NetworkCard{{Index: 0, MaxENIs: 3}}) {
		t.Errorf("single card without per-card limits: %+v %v", inst, err)
	}

	multi := record(t, "p5.48xlarge")
	mnet := *multi.NetworkInfo
	mnet.NetworkCards = nil
	multi.NetworkInfo = &mnet
	if _, err := ToInstance(multi, nil); err == nil || err.Error() != "EC2 record for p5.48xlarge has 32 network cards but no per-card limits" {
		t.Errorf("multi-card without per-card limits: %v", err)
	}

	noNet := record(t, "m5.large")
	noNet.NetworkInfo = nil
	if _, err := ToInstance(noNet, nil); err == nil || err.Error() != "EC2 record for m5.large has no networkInfo" {
		t.Errorf("no networkInfo: %v", err)
	}

	badCard := record(t, "m5.large")
	bnet := *badCard.NetworkInfo
	bnet.DefaultNetworkCardIndex = aws.Int32(3)
	badCard.NetworkInfo = &bnet
	if _, err := ToInstance(badCard, nil); err == nil || err.Error() != "EC2 record for m5.large: default network card 3 is not among its network cards" {
		t.Errorf("missing default card: %v", err)
	}
}

func TestThrottlingIsRetriedThenSucceeds(t *testing.T) {
	s, api := start(t, ec2fake.Records())
	s.Fail(ec2fake.Failure{Action: "DescribeInstanceTypes", Code: "RequestLimitExceeded", Times: 2})
	records, err := Fetch(context.Background(), api, []string{"m5.large"})
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 1 || len(s.Requests()) != 3 {
		t.Errorf("%d records after %d requests, want 1 after 3", len(records), len(s.Requests()))
	}
}

func TestFailuresExplainThemselves(t *testing.T) {
	table := embedded(t)
	tests := []struct {
		name    string
		failure ec2fake.Failure
		types   []string
		want    string
	}{
		{"throttled", ec2fake.Failure{Code: "RequestLimitExceeded"}, []string{"m5.large"},
			"EC2 in us-east-1: EC2 throttled the requests (RequestLimitExceeded) and 3 attempts with backoff did not get through: try again later, ask for fewer types or regions, or raise AWS_MAX_ATTEMPTS"},
		{"unauthorized", ec2fake.Failure{Code: "UnauthorizedOperation"}, []string{"m5.large"},
			"EC2 in us-east-1: not allowed to call ec2:DescribeInstanceTypes (UnauthorizedOperation): grant the IAM action ec2:DescribeInstanceTypes to the credentials in use"},
		{"access denied", ec2fake.Failure{Code: "AccessDenied"}, []string{"m5.large"},
			"EC2 in us-east-1: not allowed to call ec2:DescribeInstanceTypes (AccessDenied): grant the IAM action ec2:DescribeInstanceTypes to the credentials in use"},
		{"unknown type", ec2fake.Failure{}, []string{"m5.lrge"},
			`EC2 in us-east-1: unknown instance type "m5.lrge" (InvalidInstanceType: did you mean m5.large?)`},
		{"unknown far-off type", ec2fake.Failure{}, []string{"m5.large", "zz9.nothing-like-it"},
			`EC2 in us-east-1: unknown instance type "zz9.nothing-like-it" (InvalidInstanceType: EC2 does not offer it in this region)`},
		{"bad credentials", ec2fake.Failure{Code: "AuthFailure"}, []string{"m5.large"},
			"EC2 in us-east-1: EC2 rejected the AWS credentials (AuthFailure: AWS was not able to validate the provided access credentials): check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or --profile, and refresh expired session credentials"},
		{"other error", ec2fake.Failure{Code: "InvalidParameterValue", Message: "bad\nthing"}, []string{"m5.large"},
			"EC2 in us-east-1: DescribeInstanceTypes failed (InvalidParameterValue: bad thing)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, api := start(t, ec2fake.Records())
			if tt.failure.Code != "" {
				s.Fail(tt.failure)
			}
			_, err := Source{API: api, Region: "us-east-1", Known: table}.Load(context.Background(), limits.Selection{Args: tt.types})
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v\nwant    %s", err, tt.want)
			}
		})
	}
}

func TestTimeoutAndInterrupt(t *testing.T) {
	s, api := start(t, ec2fake.Records())
	s.SetDelay(10 * time.Second)
	src := Source{API: api, Region: "us-east-1"}

	ctx, cancel := WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := src.Load(ctx, limits.Selection{Args: []string{"m5.large"}})
	if err == nil || err.Error() != "EC2 in us-east-1: no answer within 100ms (--timeout): raise --timeout, or check the network and --endpoint-url" ||
		!errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("timeout error = %v", err)
	}

	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err = src.Load(ctx, limits.Selection{All: true})
	if !errors.Is(err, context.Canceled) || err.Error() != "EC2 in us-east-1: interrupted: context canceled" {
		t.Errorf("interrupt error = %v", err)
	}
}

func TestUnreachableEndpoint(t *testing.T) {
	s, api := start(t, ec2fake.Records())
	s.Close()
	_, err := Fetch(context.Background(), api, []string{"m5.large"})
	if err == nil || !strings.HasPrefix(err.Error(), "cannot reach EC2 (dial tcp 127.0.0.1:") || !strings.HasSuffix(err.Error(), "connect: connection refused): check the network and --endpoint-url") {
		t.Errorf("error = %v", err)
	}
}

func TestLoadConfigErrors(t *testing.T) {
	awsEnv(t)
	ctx := context.Background()
	if _, err := LoadConfig(ctx, Options{}); !errors.Is(err, ErrNoRegion) {
		t.Errorf("no region: %v", err)
	}
	t.Setenv("AWS_REGION", "eu-west-1")
	if cfg, err := LoadConfig(ctx, Options{}); err != nil || cfg.Region != "eu-west-1" {
		t.Errorf("AWS_REGION: %v %v", cfg.Region, err)
	}
	if cfg, err := LoadConfig(ctx, Options{Region: "ap-south-1"}); err != nil || cfg.Region != "ap-south-1" {
		t.Errorf("--region should win over AWS_REGION: %v %v", cfg.Region, err)
	}
	if _, err := LoadConfig(ctx, Options{Profile: "nope"}); err == nil ||
		err.Error() != `AWS profile "nope" not found in the shared config or credentials file (~/.aws/config, ~/.aws/credentials): check --profile or AWS_PROFILE` {
		t.Errorf("missing profile: %v", err)
	}
	if _, err := LoadConfig(ctx, Options{Region: "us east 1"}); err == nil ||
		err.Error() != `invalid --region "us east 1": want a region name such as us-east-1` {
		t.Errorf("bad --region: %v", err)
	}
	t.Setenv("AWS_REGION", "US-EAST-1")
	if _, err := LoadConfig(ctx, Options{}); err == nil ||
		err.Error() != `invalid AWS region "US-EAST-1" (from AWS_REGION or the profile): want a region name such as us-east-1` {
		t.Errorf("bad AWS_REGION: %v", err)
	}
	t.Setenv("AWS_REGION", "eu-west-1")
	if _, err := LoadConfig(ctx, Options{EndpointURL: "localhost:4566"}); err == nil ||
		err.Error() != `invalid --endpoint-url "localhost:4566": want an http or https URL such as https://ec2.us-east-1.amazonaws.com` {
		t.Errorf("bad endpoint: %v", err)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	_, err := LoadConfig(ctx, Options{})
	if !errors.Is(err, ErrNoCredentials) || !strings.HasPrefix(err.Error(), "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or choose a profile with --profile or AWS_PROFILE") || strings.Contains(err.Error(), "\n") {
		t.Errorf("no credentials: %v", err)
	}
}

// A profile in the shared files gives region and credentials.
func TestProfileFromSharedFiles(t *testing.T) {
	awsEnv(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	dir := t.TempDir()
	writeFile(t, dir+"/config", "[profile planner]\nregion = eu-central-1\n")
	writeFile(t, dir+"/credentials", "[planner]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = secret\n")
	t.Setenv("AWS_CONFIG_FILE", dir+"/config")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", dir+"/credentials")
	s := ec2fake.Start(ec2fake.Records())
	defer s.Close()
	opts := Options{Profile: "planner", EndpointURL: s.URL()}
	cfg, err := LoadConfig(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Fetch(context.Background(), NewClient(cfg, opts, ""), []string{"m5.large"}); err != nil {
		t.Fatal(err)
	}
	if r := s.Requests()[0]; r.Region != "eu-central-1" {
		t.Errorf("request signed for %s, want the profile's eu-central-1", r.Region)
	}
}

func TestEndpointFromTheEnvironment(t *testing.T) {
	for _, env := range []string{"AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL"} {
		t.Run(env, func(t *testing.T) {
			awsEnv(t)
			s := ec2fake.Start(ec2fake.Records())
			defer s.Close()
			t.Setenv(env, s.URL())
			opts := Options{Region: "us-west-2"}
			cfg, err := LoadConfig(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Fetch(context.Background(), NewClient(cfg, opts, ""), []string{"m5.large"}); err != nil {
				t.Fatal(err)
			}
			if n := len(s.Requests()); n != 1 {
				t.Errorf("the fake saw %d requests", n)
			}
		})
	}
}

func TestSourceLoadsOnlyWhatIsAsked(t *testing.T) {
	s, api := start(t, ec2fake.Records())
	src := Source{API: api, Region: "us-east-1", Known: embedded(t)}
	table, err := src.Load(context.Background(), limits.Selection{Args: []string{"m5.large", "t2.*", "t2.nano"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := table.Names(); !slices.Equal(got, []string{"m5.large", "t2.2xlarge", "t2.medium", "t2.micro", "t2.nano"}) {
		t.Errorf("names = %v", got)
	}
	if h := table.Header(); !slices.Equal(h.Sources, []string{"EC2 DescribeInstanceTypes in us-east-1 (live)"}) {
		t.Errorf("header = %+v", h)
	}
	reqs := s.Requests()
	if len(reqs) != 2 || !slices.Equal(reqs[0].InstanceTypes, []string{"m5.large", "t2.nano"}) || len(reqs[1].Filters["instance-type"]) != 1 {
		t.Errorf("requests = %+v", reqs)
	}
	// A glob EC2 cannot filter on pages through everything.
	table, err = src.Load(context.Background(), limits.Selection{Args: []string{"t2.[mn]*"}})
	if err != nil || table.Len() != 56 {
		t.Errorf("character class: %v, %d types", err, table.Len())
	}
	if _, err := src.Load(context.Background(), limits.Selection{Args: []string{"m5.[large"}}); err == nil {
		t.Error("a bad glob should fail")
	}
}

func TestParseRegions(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		err  string
	}{
		{"all", nil, ""},
		{"us-east-1", []string{"us-east-1"}, ""},
		{"us-east-1, eu-west-1,us-east-1", []string{"us-east-1", "eu-west-1"}, ""},
		{"us-gov-west-1,ap-southeast-5", []string{"us-gov-west-1", "ap-southeast-5"}, ""},
		{"cn-north-1,eusc-de-east-1", []string{"cn-north-1", "eusc-de-east-1"}, ""},
		{"US-EAST-1", nil, `invalid region "US-EAST-1" in --regions: want names such as us-east-1,eu-west-1, or all`},
		{"all,us-east-1", nil, `invalid region "all" in --regions: want names such as us-east-1,eu-west-1, or all`},
		{"us-east", nil, `invalid region "us-east" in --regions: want names such as us-east-1,eu-west-1, or all`},
		{"", nil, `invalid region "" in --regions: want names such as us-east-1,eu-west-1, or all`},
		{"us-east-1,", nil, `invalid region "" in --regions: want names such as us-east-1,eu-west-1, or all`},
	}
	for _, tt := range tests {
		got, err := ParseRegions(tt.in)
		if (err == nil) != (tt.err == "") || (err != nil && err.Error() != tt.err) || !slices.Equal(got, tt.want) {
			t.Errorf("ParseRegions(%q) = %q, %v", tt.in, got, err)
		}
	}
}

// clients returns a client factory for the server, one client per region.
func clients(t *testing.T, s *ec2fake.Server) func(string) API {
	t.Helper()
	opts := fastRetries(s.URL())
	cfg, err := LoadConfig(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return func(region string) API { return NewClient(cfg, opts, region) }
}

func without(records []ec2types.InstanceTypeInfo, drop ...string) []ec2types.InstanceTypeInfo {
	return slices.DeleteFunc(slices.Clone(records), func(r ec2types.InstanceTypeInfo) bool {
		return slices.Contains(drop, string(r.InstanceType))
	})
}

func TestUpdateMergesRegionsAndReportsConflicts(t *testing.T) {
	awsEnv(t)
	records := ec2fake.Records()
	s := ec2fake.Start(records)
	defer s.Close()
	// us-west-2 lacks c3.large; eu-west-1 reports one more IPv4 address per
	// ENI on m5.xlarge than the others; eu-west-1 has a type the table lacks.
	s.SetRegionRecords("us-west-2", without(records, "c3.large"))
	eu := slices.Clone(records)
	for i, r := range eu {
		if r.InstanceType == "m5.xlarge" {
			n := *r.NetworkInfo
			n.Ipv4AddressesPerInterface = aws.Int32(16)
			eu[i].NetworkInfo = &n
		}
	}
	newType := record(t, "m5.large")
	newType.InstanceType = "m99.large"
	eu = append(eu, newType)
	s.SetRegionRecords("eu-west-1", eu)

	// The old table: the fixture types as embedded, with m5.large's memory
	// off by one, no t2.nano, and one type that EC2 no longer returns.
	table := embedded(t)
	var base []limits.Instance
	for _, r := range records {
		inst, _ := table.Get(string(r.InstanceType))
		switch inst.Name {
		case "m5.large":
			inst.MemoryMiB = 8191
		case "t2.nano":
			continue
		}
		base = append(base, inst)
	}
	retired, _ := table.Get("c1.xlarge")
	base = append(base, retired)
	old, err := limits.NewTable(limits.Header{Sources: []string{"test"}}, base)
	if err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	var progress []string
	pages := 0
	maxPods := func(inst limits.Instance) int { return inst.MaxENIs*(inst.IPv4PerENI-1) + 2 }
	got, summary, err := Update(context.Background(), clients(t, s), UpdateOptions{
		Base: old, Header: limits.Header{GeneratedAt: "2026-09-01"}, MaxPods: maxPods,
		Progress: func(p UpdateProgress) {
			mu.Lock()
			defer mu.Unlock()
			if p.Pages < pages {
				t.Errorf("pages went back from %d to %d", pages, p.Pages)
			}
			pages = p.Pages
			if p.Region != "" {
				progress = append(progress, fmt.Sprintf("%d/%d", p.RegionsDone, p.Regions))
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := limits.Summary{
		Regions:     []string{"eu-west-1", "us-east-1", "us-west-2"},
		Fetched:     57,
		Instances:   58,
		Added:       []limits.Change{{InstanceType: "m99.large", NewMaxPods: 29}, {InstanceType: "t2.nano", NewMaxPods: 2*(2-1) + 2}},
		Removed:     []limits.Change{},
		Changed:     []limits.Change{{InstanceType: "m5.large", OldMaxPods: 29, NewMaxPods: 29, Fields: []string{"memoryMiB"}}},
		Unchanged:   53,
		Conflicts:   []limits.Conflict{{InstanceType: "m5.xlarge", Regions: []string{"eu-west-1", "us-east-1,us-west-2"}, Fields: []string{"ipv4PerENI"}, Kept: true}},
		NotReturned: []string{"c1.xlarge"},
	}
	if !reflect.DeepEqual(summary, want) {
		t.Errorf("summary = %+v\nwant      %+v", summary, want)
	}
	if pages < 3 {
		t.Errorf("%d pages reported for three regions", pages)
	}
	if !slices.Equal(progress, []string{"1/3", "2/3", "3/3"}) {
		t.Errorf("progress = %v", progress)
	}
	if inst, _ := got.Get("m5.xlarge"); inst.IPv4PerENI != 15 {
		t.Errorf("a conflicting type must keep its old entry, got %+v", inst)
	}
	if inst, _ := got.Get("m99.large"); inst.Trunking != nil {
		t.Errorf("a new type has unknown trunking, got %v", *inst.Trunking)
	}
	if inst, _ := got.Get("m5.large"); inst.MemoryMiB != 8192 {
		t.Errorf("m5.large memory = %d", inst.MemoryMiB)
	}
	if got.Header().GeneratedAt != "2026-09-01" || got.Header().InstanceTypes != 58 {
		t.Errorf("header = %+v", got.Header())
	}
	// DescribeRegions was asked once, then each region paged on its own.
	regions := map[string]int{}
	for _, r := range s.Requests() {
		regions[r.Action+" "+r.Region]++
	}
	if !reflect.DeepEqual(regions, map[string]int{"DescribeRegions us-east-1": 1, "DescribeInstanceTypes eu-west-1": 1,
		"DescribeInstanceTypes us-east-1": 1, "DescribeInstanceTypes us-west-2": 1}) {
		t.Errorf("requests = %v", regions)
	}
}

func TestUpdateFailsWholeWhenOneRegionFails(t *testing.T) {
	awsEnv(t)
	s := ec2fake.Start(ec2fake.Records())
	defer s.Close()
	s.Fail(ec2fake.Failure{Region: "us-west-2", Code: "UnauthorizedOperation"})
	_, _, err := Update(context.Background(), clients(t, s), UpdateOptions{Regions: []string{"us-east-1", "us-west-2"}, Base: embedded(t)})
	if err == nil || err.Error() != "EC2 in us-west-2: not allowed to call ec2:DescribeInstanceTypes (UnauthorizedOperation): grant the IAM action ec2:DescribeInstanceTypes to the credentials in use" {
		t.Errorf("error = %v", err)
	}
	s.Fail(ec2fake.Failure{Action: "DescribeRegions", Code: "UnauthorizedOperation"})
	_, _, err = Update(context.Background(), clients(t, s), UpdateOptions{Base: embedded(t)})
	if err == nil || err.Error() != "not allowed to call ec2:DescribeRegions (UnauthorizedOperation): grant the IAM action ec2:DescribeRegions to the credentials in use" {
		t.Errorf("error = %v", err)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// FuzzParseRegions: --regions is "all" or names; anything else is one line
// naming the bad value. Accepted names are region-shaped, each once, in the
// order typed, and read back the same when joined again.
func FuzzParseRegions(f *testing.F) {
	for _, s := range []string{"all", "us-east-1", "us-east-1, eu-west-1,us-east-1", "cn-north-1,eusc-de-east-1", "", ",", "all,us-east-1", "US-EAST-1", "us-east-1\n", "us-east-100"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		regions, err := ParseRegions(s)
		if err != nil {
			msg := err.Error()
			if regions != nil || strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "invalid region ") || !strings.HasSuffix(msg, " in --regions: want names such as us-east-1,eu-west-1, or all") {
				t.Fatalf("ParseRegions(%q) = %q, %q", s, regions, msg)
			}
			return
		}
		if regions == nil {
			if strings.TrimSpace(s) != AllRegions {
				t.Fatalf("ParseRegions(%q) = all", s)
			}
			return
		}
		seen := map[string]bool{}
		for _, r := range regions {
			if !vpc.IsRegionName(r) || seen[r] || !strings.Contains(s, r) {
				t.Fatalf("ParseRegions(%q) = %q: %q is not a region typed once", s, regions, r)
			}
			seen[r] = true
		}
		again, err := ParseRegions(strings.Join(regions, ","))
		if err != nil || !slices.Equal(again, regions) {
			t.Fatalf("ParseRegions(%q) = %q does not read back: %q, %v", s, regions, again, err)
		}
	})
}

// FuzzValidateEndpointURL: --endpoint-url is empty or an absolute http(s)
// URL with a host; a refusal is one line naming the value.
func FuzzValidateEndpointURL(f *testing.F) {
	for _, s := range []string{"", "http://localhost:4566", "https://ec2.us-east-1.amazonaws.com", "localhost:4566", "ftp://x", "http://", "http://[::1]:4566/", "http://a b", "https://%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := ValidateEndpointURL(s)
		if err != nil {
			if msg := err.Error(); strings.Contains(msg, "\n") || msg != fmt.Sprintf("invalid --endpoint-url %q: want an http or https URL such as https://ec2.us-east-1.amazonaws.com", s) {
				t.Fatalf("ValidateEndpointURL(%q) = %q", s, msg)
			}
			return
		}
		if s == "" {
			return
		}
		u, perr := url.Parse(s)
		if perr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			t.Fatalf("ValidateEndpointURL(%q) accepted a URL that is not absolute http(s): %+v %v", s, u, perr)
		}
	})
}

// BenchmarkToInstances maps the 56 fixture records to table entries: the
// work of --live after EC2 has answered.
func BenchmarkToInstances(b *testing.B) {
	records := ec2fake.Records()
	known, err := limits.Embedded()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := ToInstances(records, known); err != nil {
			b.Fatal(err)
		}
	}
}
