package ec2limits

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// API is the part of the EC2 client that eksnet calls; *ec2.Client has it.
type API interface {
	ec2.DescribeInstanceTypesAPIClient
	DescribeRegions(ctx context.Context, in *ec2.DescribeRegionsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeRegionsOutput, error)
	ec2.DescribeSubnetsAPIClient
	DescribeVpcs(ctx context.Context, in *ec2.DescribeVpcsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeVpcsOutput, error)
	ec2.DescribeNetworkInterfacesAPIClient
}

// MaxTypesPerCall is the most instance types DescribeInstanceTypes takes in
// its InstanceTypes parameter, and the most it returns on one page.
const MaxTypesPerCall = 100

// Fetch returns the DescribeInstanceTypes records of the named types, asking
// for at most MaxTypesPerCall a call (following NextToken where EC2 pages).
// Names are lower-cased and duplicates dropped. A name EC2 does not know
// fails the call with an *UnknownTypesError.
func Fetch(ctx context.Context, api API, names []string) ([]ec2types.InstanceTypeInfo, error) {
	var unique []ec2types.InstanceType
	for _, n := range names {
		t := ec2types.InstanceType(strings.ToLower(strings.TrimSpace(n)))
		if !slices.Contains(unique, t) {
			unique = append(unique, t)
		}
	}
	var records []ec2types.InstanceTypeInfo
	for chunk := range slices.Chunk(unique, MaxTypesPerCall) {
		page, err := describe(ctx, api, &ec2.DescribeInstanceTypesInput{InstanceTypes: chunk}, nil)
		if err != nil {
			return nil, err
		}
		records = append(records, page...)
	}
	return records, nil
}

// FetchAll returns every instance type the region offers, paging with
// NextToken, MaxTypesPerCall a page.
//
// Every region offers instance types: an answer with none is refused
// (ErrNoInstanceTypes), never taken for an empty table.
func FetchAll(ctx context.Context, api API) ([]ec2types.InstanceTypeInfo, error) {
	return fetchAll(ctx, api, nil)
}

// ErrNoInstanceTypes is an answer to DescribeInstanceTypes without any type.
var ErrNoInstanceTypes = errors.New("DescribeInstanceTypes returned no instance type at all, which EC2 never does: check --endpoint-url, and any proxy in the way")

func fetchAll(ctx context.Context, api API, onPage func()) ([]ec2types.InstanceTypeInfo, error) {
	records, err := describe(ctx, api, &ec2.DescribeInstanceTypesInput{MaxResults: aws.Int32(MaxTypesPerCall)}, onPage)
	if err == nil && len(records) == 0 {
		return nil, ErrNoInstanceTypes
	}
	return records, err
}

// FetchMatching returns the types matching any of the patterns, which use
// EC2's filter wildcards (* and ?), through the instance-type filter.
func FetchMatching(ctx context.Context, api API, patterns []string) ([]ec2types.InstanceTypeInfo, error) {
	values := make([]string, len(patterns))
	for i, p := range patterns {
		values[i] = strings.ToLower(strings.TrimSpace(p))
	}
	return describe(ctx, api, &ec2.DescribeInstanceTypesInput{
		Filters:    []ec2types.Filter{{Name: aws.String("instance-type"), Values: values}},
		MaxResults: aws.Int32(MaxTypesPerCall),
	}, nil)
}

// describe runs DescribeInstanceTypes through the SDK's paginator; onPage,
// if set, is called after each page.
func describe(ctx context.Context, api API, in *ec2.DescribeInstanceTypesInput, onPage func()) ([]ec2types.InstanceTypeInfo, error) {
	return allPages(ctx, "DescribeInstanceTypes", ec2.NewDescribeInstanceTypesPaginator(api, in),
		func(page *ec2.DescribeInstanceTypesOutput) ([]ec2types.InstanceTypeInfo, *string) {
			return page.InstanceTypes, page.NextToken
		}, onPage)
}

// paginator is what the SDK's paginators have in common.
type paginator[Page any] interface {
	HasMorePages() bool
	NextPage(context.Context, ...func(*ec2.Options)) (Page, error)
}

// MaxPages bounds one paged call: 1,420 instance types are 15 pages of
// MaxTypesPerCall, a VPC's subnets (200 by default, 1,000 at most) a
// handful. An endpoint that never stops paging is an error, not a loop.
const MaxPages = 200

// PagingError is an endpoint that pages without end: it returned a
// NextToken it had returned before, or more than MaxPages pages.
type PagingError struct {
	Action   string
	Pages    int
	Repeated bool // a token came back: the same pages again, for ever
}

func (e *PagingError) Error() string {
	if e.Repeated {
		return fmt.Sprintf("%s: page %d repeats an earlier page's NextToken, so paging would never end: the endpoint is not EC2 or is broken", e.Action, e.Pages)
	}
	return fmt.Sprintf("%s: more than %d pages, far more than EC2 returns: the endpoint is not EC2 or is broken", e.Action, MaxPages)
}

// allPages collects the records of every page, following NextToken, and
// stops with a *PagingError on a repeated token or past MaxPages; an error
// of the call is explained as a failure of action. onPage, if set, is
// called after each page.
func allPages[Page, Record any](ctx context.Context, action string, pages paginator[Page], records func(Page) ([]Record, *string), onPage func()) ([]Record, error) {
	var all []Record
	seen := map[string]bool{}
	for n := 1; pages.HasMorePages(); n++ {
		if n > MaxPages {
			return nil, &PagingError{Action: action, Pages: n}
		}
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, explain(ctx, action, err)
		}
		got, next := records(page)
		all = append(all, got...)
		if token := aws.ToString(next); token != "" {
			if seen[token] {
				return nil, &PagingError{Action: action, Pages: n, Repeated: true}
			}
			seen[token] = true
		}
		if onPage != nil {
			onPage()
		}
	}
	return all, nil
}

// Regions returns the regions enabled for the account (DescribeRegions), in
// name order: what `--regions all` means.
func Regions(ctx context.Context, api API) ([]string, error) {
	out, err := api.DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
	if err != nil {
		return nil, explain(ctx, "DescribeRegions", err)
	}
	var regions []string
	for _, r := range out.Regions {
		if name := aws.ToString(r.RegionName); name != "" {
			regions = append(regions, name)
		}
	}
	slices.Sort(regions)
	return regions, nil
}
