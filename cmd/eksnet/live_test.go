package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/eksnet/eksnet/internal/ec2fake"
)

// fakes holds the servers a script started, the latest last.
type fakes struct{ servers []*ec2fake.Server }

const fakesKey = "ec2fake"

// ec2fakeCmd is the script command
//
//	ec2fake [-page N] [-delay D] [-regions r1,r2] [-fail CODE[:TIMES][@ACTION]]...
//	        [-subnets DESCRIBE-SUBNETS.json] [-enis DESCRIBE-NETWORK-INTERFACES.json]
//	        [-vpc VPC_ID=CIDR[,CIDR]...]...
//
// which starts an in-process EC2 endpoint serving ec2fake.Records(), the
// subnets of the describe-subnets file and the VPCs with their blocks (the
// primary first) for the rest of the script, and sets $EC2_URL to its URL.
func ec2fakeCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("usage: ec2fake [flags]")
	}
	fs := flag.NewFlagSet("ec2fake", flag.ContinueOnError)
	page := fs.Int("page", 0, "types per page")
	delay := fs.Duration("delay", 0, "delay before every answer")
	regions := fs.String("regions", "", "regions DescribeRegions returns")
	subnetsFile := fs.String("subnets", "", "describe-subnets JSON to serve")
	enisFile := fs.String("enis", "", "describe-network-interfaces JSON to serve")
	var vpcs []ec2types.Vpc
	fs.Func("vpc", "VPC_ID=CIDR[,CIDR]", func(v string) error {
		id, cidrs, ok := strings.Cut(v, "=")
		if !ok {
			return fmt.Errorf("want VPC_ID=CIDR[,CIDR], not %q", v)
		}
		vpcs = append(vpcs, ec2fake.VPC(id, strings.Split(cidrs, ",")...))
		return nil
	})
	var failures []ec2fake.Failure
	fs.Func("fail", "CODE[:TIMES][@ACTION]", func(v string) error {
		var f ec2fake.Failure
		v, f.Action, _ = strings.Cut(v, "@")
		code, times, ok := strings.Cut(v, ":")
		f.Code = code
		if ok {
			n, err := strconv.Atoi(times)
			if err != nil {
				return err
			}
			f.Times = n
		}
		failures = append(failures, f)
		return nil
	})
	rawType := fs.String("raw-type", "", "answer every request with this Content-Type and -raw-body instead of EC2's XML")
	rawBody := fs.String("raw-body", "", "the body of -raw-type answers")
	rawStatus := fs.Int("raw-status", 0, "the HTTP status of -raw-type answers")
	rawEndless := fs.Bool("raw-endless", false, "after -raw-body, blanks for ever")
	paging := fs.String("paging", "", "paging fault: repeat (one NextToken for ever) or endless (a new one each page)")
	if err := fs.Parse(args); err != nil {
		ts.Fatalf("ec2fake: %v", err)
	}
	s := ec2fake.Start(ec2fake.Records())
	if *rawType != "" || *rawBody != "" || *rawEndless {
		s.SetRaw(&ec2fake.Raw{Status: *rawStatus, ContentType: *rawType, Body: []byte(*rawBody), Endless: *rawEndless})
	}
	switch *paging {
	case "":
	case "repeat":
		s.SetPaging(ec2fake.PagingRepeat)
	case "endless":
		s.SetPaging(ec2fake.PagingEndless)
	default:
		ts.Fatalf("ec2fake: -paging %q: want repeat or endless", *paging)
	}
	ts.Defer(s.Close)
	if *subnetsFile != "" {
		subnets, err := ec2fake.ParseSubnets([]byte(ts.ReadFile(*subnetsFile)))
		if err != nil {
			ts.Fatalf("ec2fake: %s: %v", *subnetsFile, err)
		}
		s.SetSubnets(subnets...)
	}
	if *enisFile != "" {
		enis, err := ec2fake.ParseNetworkInterfaces([]byte(ts.ReadFile(*enisFile)))
		if err != nil {
			ts.Fatalf("ec2fake: %s: %v", *enisFile, err)
		}
		s.SetNetworkInterfaces(enis...)
	}
	s.SetVPCs(vpcs...)
	s.SetPageSize(*page)
	s.SetDelay(*delay)
	if *regions != "" {
		s.SetRegions(strings.Split(*regions, ",")...)
	}
	for _, f := range failures {
		s.Fail(f)
	}
	ts.Setenv("EC2_URL", s.URL())
	f := ts.Value(fakesKey).(*fakes)
	f.servers = append(f.servers, s)
}

// ec2waitCmd is the script command
//
//	ec2wait N
//
// which waits (10s at most) until the latest ec2fake server has received N
// requests: then a background eksnet is surely talking to it.
func ec2waitCmd(ts *testscript.TestScript, neg bool, args []string) {
	f := ts.Value(fakesKey).(*fakes)
	if neg || len(args) != 1 || len(f.servers) == 0 {
		ts.Fatalf("usage: ec2wait N, after ec2fake")
	}
	n, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("ec2wait: %v", err)
	}
	if !f.servers[len(f.servers)-1].WaitReceived(n, 10*time.Second) {
		ts.Fatalf("ec2wait: fewer than %d requests after 10s", n)
	}
}
