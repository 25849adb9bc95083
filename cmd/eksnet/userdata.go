package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/eksnet/eksnet/internal/atomicfile"
	"github.com/eksnet/eksnet/internal/cni"
	"github.com/eksnet/eksnet/internal/ec2limits"
	"github.com/eksnet/eksnet/internal/formula"
	"github.com/eksnet/eksnet/internal/limits"
	"github.com/eksnet/eksnet/internal/prose"
	"github.com/eksnet/eksnet/internal/render"
	"github.com/eksnet/eksnet/internal/userdata"
)

type userDataOptions struct {
	factory         *factory
	types           []string
	format          string
	cluster         userdata.Cluster
	name            string
	vcpusVariable   bool
	listDifferences bool
	out             string
	kubeletOnly     bool
	region, profile string // eksctl's metadata.region: --region, else AWS_REGION or the profile's
	cni             cniFlags
}

func newUserDataCmd(f *factory, runF func(*userDataOptions) error) *cobra.Command {
	opts := &userDataOptions{factory: f}
	cmd := &cobra.Command{
		Use:   "userdata TYPE... [--format FORMAT]",
		Short: "Node user data, EC2NodeClass or eksctl config that sets max pods",
		Long: `Write what puts eksnet's max pods on a node, with kube-reserved to match:

  al2023             MIME multipart user data with a nodeadm NodeConfig (the default)
  al2023-expression  the same with spec.kubelet.maxPodsExpression: one CEL expression
                     for every instance type (TYPE is optional; it checks those types)
  al2                /etc/eks/bootstrap.sh with --use-max-pods false
  bottlerocket       TOML settings
  windows            Start-EKSBootstrap.ps1 with -KubeletExtraArgs
  karpenter          an EC2NodeClass (karpenter.k8s.aws/v1)
  eksctl             a ClusterConfig managed node group

With several types (a mixed node group) the value is the smallest across
them; the document says which type sets it. TYPE may be a glob ('m5.*').`,
		Example: `  eksnet userdata m5.large --prefix-delegation --cluster-name demo \
    --api-server-endpoint https://ABCD.gr7.us-west-2.eks.amazonaws.com \
    --certificate-authority "$CA" --service-cidr 10.100.0.0/16
  eksnet userdata m5.large c5.xlarge --format karpenter --cluster-name demo
  eksnet userdata --format al2023-expression --prefix-delegation --list-differences`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.types = args
			if opts.format == string(userdata.Windows) && !cmd.Flags().Changed("os") {
				opts.cni.os = string(cni.Windows) // Windows user data is for Windows nodes
			}
			cfg, err := opts.cni.query(cmd)
			if err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runUserData(cmd.Context(), opts, cfg)
		},
	}
	opts.cni.bind(cmd)
	fs := cmd.Flags()
	enumFlag(cmd, &opts.format, "format", "", userdata.AL2023, userdata.Formats, "document to write")
	cmd.ValidArgsFunction = completeInstanceTypes(f)
	cmd.Flags().StringVar(&opts.region, "region", "", "eksctl: the cluster's AWS region (default: AWS_REGION, or the AWS profile's region)")
	cmd.Flags().StringVar(&opts.profile, "profile", "", "eksctl: the AWS profile whose region to take when --region is not given")
	cmd.Flags().BoolVar(&opts.kubeletOnly, "kubelet-only", false, "al2023: a NodeConfig with the kubelet block alone, for managed node groups without a custom AMI (no cluster flags)")
	fs.StringVar(&opts.cluster.Name, "cluster-name", "", "EKS cluster name")
	fs.StringVar(&opts.cluster.APIServerEndpoint, "api-server-endpoint", "", "API server endpoint, an https URL")
	fs.StringVar(&opts.cluster.CertificateAuthority, "certificate-authority", "", "cluster CA in base64 (certificateAuthority.data)")
	fs.StringVar(&opts.cluster.ServiceCIDR, "service-cidr", "", "Kubernetes service CIDR, such as 10.100.0.0/16")
	fs.StringVar(&opts.name, "name", userdata.DefaultName, "name of the EC2NodeClass (karpenter) or node group (eksctl)")
	fs.BoolVar(&opts.vcpusVariable, "vcpus-variable", false, "al2023-expression: use a vcpus variable for the 250 cap; no nodeadm release up to "+userdata.NewestNodeadmChecked+" has one, and those fall back to their uncapped default")
	fs.BoolVar(&opts.listDifferences, "list-differences", false, "al2023-expression: list the types where the expression differs from eksnet maxpods, instead of user data")
	fs.StringVar(&opts.out, "out", "", "write to FILE (replaced whole, never left half-written) instead of stdout")
	return cmd
}

func runUserData(ctx context.Context, opts *userDataOptions, cfg formula.Query) error {
	format, err := userdata.ParseFormat(opts.format)
	if err != nil {
		return err
	}
	if (format == userdata.Windows) != cfg.IsWindows() {
		return fmt.Errorf("--format %s is for %s nodes, not --os %s", format, map[bool]string{true: "Windows", false: "Linux"}[format == userdata.Windows], cfg.OS)
	}
	expression := format == userdata.AL2023Expression
	if (opts.vcpusVariable || opts.listDifferences) && !expression {
		return fmt.Errorf("--vcpus-variable and --list-differences are for --format al2023-expression, not %s", format)
	}
	table, err := opts.factory.BaseTable()
	if err != nil {
		return err
	}
	if len(opts.types) == 0 && !expression {
		return fmt.Errorf("no instance type given: name the types the nodes run (m5.large, 'm5.*'); only --format al2023-expression needs none")
	}
	var instances []limits.Instance
	if len(opts.types) > 0 {
		if instances, err = selectInstances(table, opts.types, false); err != nil {
			return err
		}
	}
	// One named type that cannot run the mode is an error, as in maxpods,
	// except for the expression, which is there to show such differences.
	results, err := computeAll(instances, cfg, singleNamedType(opts.types, false) && !expression)
	if err != nil {
		return err
	}
	req := userdata.Request{Format: format, Cluster: opts.cluster, CNI: cfg, Results: results, Name: opts.name, KubeletOnly: opts.kubeletOnly, Region: opts.region}
	if format == userdata.Eksctl && req.Region == "" {
		if req.Region, err = ec2limits.ConfiguredRegion(ctx, opts.profile); err != nil {
			return err
		}
	}
	if expression {
		req.Expression = userdata.ExpressionOptions{VCPUs: opts.vcpusVariable}
		if opts.vcpusVariable {
			fmt.Fprintln(opts.factory.streams.Err, "eksnet: warning: "+userdata.VCPUsWarning)
		}
		all, err := userdata.Differences(table.All(), cfg, req.Expression)
		if err != nil {
			return err
		}
		if opts.listDifferences {
			if len(instances) > 0 {
				all, err = userdata.Differences(instances, cfg, req.Expression)
				if err != nil {
					return err
				}
			}
			return writeOutput(ctx, opts, func(w *strings.Builder) error {
				return render.Write(w, render.Table, differencesView(all))
			})
		}
		req.TableDifferences, req.TableTypes = len(all), table.Len()
		if req.Differences, err = userdata.Differences(instances, cfg, req.Expression); err != nil {
			return err
		}
		if len(req.Differences) > 0 {
			fmt.Fprintf(opts.factory.streams.Err, "eksnet: note: the expression differs from eksnet maxpods on %d of the types given (see the comment in the user data)\n", len(req.Differences))
		}
	}
	doc, err := userdata.Generate(req)
	if err != nil {
		return err
	}
	return writeOutput(ctx, opts, func(w *strings.Builder) error { _, err := w.Write(doc); return err })
}

// writeOutput writes to stdout, or replaces --out whole (atomicfile.Write),
// so that an error never leaves part of a file.
func writeOutput(ctx context.Context, opts *userDataOptions, write func(*strings.Builder) error) error {
	var b strings.Builder
	if err := write(&b); err != nil {
		return err
	}
	if opts.out == "" {
		_, err := fmt.Fprint(opts.factory.streams.Out, b.String())
		return err
	}
	return atomicfile.Write(ctx, opts.out, []byte(b.String()))
}

// differencesView is the table of types where the expression differs.
type differencesView []userdata.Difference

func (v differencesView) TableHeader(bool) []string {
	return []string{"TYPE", "EKSNET", "EXPRESSION", "WHY"}
}

func (v differencesView) TableRows(bool) [][]string {
	rows := make([][]string, len(v))
	for i, d := range v {
		rows[i] = []string{d.InstanceType, strconv.Itoa(d.MaxPods), strconv.Itoa(d.Expression), d.Reason}
	}
	return rows
}

func (v differencesView) Footnotes() []string {
	return []string{"", prose.Count(len(v), "instance type differs", "instance types differ")}
}
