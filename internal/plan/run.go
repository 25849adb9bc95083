package plan

import (
	"fmt"

	"github.com/eksnet/eksnet/internal/kube"

	"github.com/eksnet/eksnet/internal/limits"
)

// Inputs are everything a plan is made from, as the command read it: the
// plan file's bytes and the optional sources merged into it.
type Inputs struct {
	File       []byte
	FileName   string // in errors; "standard input" for -
	FileFormat string // "yaml" or "json"
	// Subnets is the JSON of aws ec2 describe-subnets (--subnets-file).
	Subnets     []byte
	SubnetsName string
	// DaemonSet is the aws-node DaemonSet (--cni-from).
	DaemonSet     []byte
	DaemonSetName string
	// Live merges the VPC's blocks and subnets from EC2 into the file once
	// it is decoded (--live); the command supplies it, since it talks to AWS.
	Live func(*File) error
}

// Plan is the one entry point of `eksnet plan`: decode the file strictly,
// merge the existing subnets (a describe-subnets file or EC2) and the
// DaemonSet's CNI settings, default, validate and lay out the plan.
func Plan(in Inputs, table *limits.Table) (*Result, *Spec, error) {
	file, err := Decode(in.File, in.FileFormat)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", in.FileName, err)
	}
	if in.Subnets != nil {
		subnets, vpcID, err := SubnetsFromDescribe(in.Subnets, file.VPC.ID)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", in.SubnetsName, err)
		}
		if err := MergeExisting(&file, subnets, vpcID, "the subnets file"); err != nil {
			return nil, nil, err
		}
	}
	if in.Live != nil {
		if err := in.Live(&file); err != nil {
			return nil, nil, err
		}
	}
	if in.DaemonSet != nil {
		ds, hasVersion, err := kube.DaemonSetCNI(in.DaemonSet)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", in.DaemonSetName, err)
		}
		ApplyDaemonSet(&file, ds, hasVersion)
	}
	Default(&file)
	spec, err := Validate(file)
	if err != nil {
		return nil, nil, err
	}
	res, err := Build(spec, table)
	if err != nil {
		return nil, nil, err
	}
	return res, spec, nil
}
