package ec2limits

import (
	"context"
	"errors"
	"fmt"
	"strings"

	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/eksnet/eksnet/internal/limits"
)

// Source reads the selected instance types live from EC2 in one region:
// the limits.Source behind --live. Plain names go in DescribeInstanceTypes'
// InstanceTypes parameter, globs with * and ? in its instance-type filter,
// and only --all (or a glob EC2 cannot filter on, such as m5.[lx]*) pages
// through every type.
type Source struct {
	API    API
	Region string        // the region API talks to, for messages
	Known  *limits.Table // trunking and branch interfaces (the embedded table); nil: unknown
}

// Load fetches the selected types and returns them as a table.
func (s Source) Load(ctx context.Context, sel limits.Selection) (*limits.Table, error) {
	records, err := s.fetch(ctx, sel)
	if err != nil {
		var unknown *UnknownTypesError
		if errors.As(err, &unknown) && s.Known != nil && len(unknown.Names) > 0 {
			unknown.Suggestions = s.Known.Suggest(unknown.Names[0], 3)
		}
		return nil, fmt.Errorf("EC2 in %s: %w", s.Region, err)
	}
	instances, err := ToInstances(records, s.Known)
	if err != nil {
		return nil, fmt.Errorf("EC2 in %s: %w", s.Region, err)
	}
	header := limits.Header{Sources: []string{"EC2 DescribeInstanceTypes in " + s.Region + " (live)"}}
	return limits.NewTable(header, instances)
}

func (s Source) fetch(ctx context.Context, sel limits.Selection) ([]ec2types.InstanceTypeInfo, error) {
	var names, patterns []string
	for _, arg := range sel.Args {
		switch {
		case !limits.IsPattern(arg):
			names = append(names, arg)
		case limits.ValidatePattern(arg) != nil:
			return nil, limits.ValidatePattern(arg)
		case strings.ContainsAny(arg, `[\`):
			sel.All = true // EC2's filter has no character classes: match locally
		default:
			patterns = append(patterns, arg)
		}
	}
	if sel.All {
		return FetchAll(ctx, s.API)
	}
	var records []ec2types.InstanceTypeInfo
	if len(names) > 0 {
		named, err := Fetch(ctx, s.API, names)
		if err != nil {
			return nil, err
		}
		records = append(records, named...)
	}
	if len(patterns) > 0 {
		matched, err := FetchMatching(ctx, s.API, patterns)
		if err != nil {
			return nil, err
		}
		for _, r := range matched {
			if !containsType(records, r.InstanceType) {
				records = append(records, r)
			}
		}
	}
	return records, nil
}

func containsType(records []ec2types.InstanceTypeInfo, t ec2types.InstanceType) bool {
	for _, r := range records {
		if r.InstanceType == t {
			return true
		}
	}
	return false
}
