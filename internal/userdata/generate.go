package userdata

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"net/netip"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/eksnet/eksnet/internal/vpc"

	"github.com/pelletier/go-toml/v2"
	"gopkg.in/yaml.v3"

	"github.com/eksnet/eksnet/internal/cni"
	"github.com/eksnet/eksnet/internal/enum"
	"github.com/eksnet/eksnet/internal/formula"
	"github.com/eksnet/eksnet/internal/manifest"
)

// Format is a kind of document that carries max pods to a node.
type Format string

const (
	AL2023           Format = "al2023"            // nodeadm NodeConfig, fixed maxPods
	AL2023Expression Format = "al2023-expression" // nodeadm NodeConfig, maxPodsExpression
	AL2              Format = "al2"               // bootstrap.sh
	Bottlerocket     Format = "bottlerocket"      // TOML settings
	Windows          Format = "windows"           // Start-EKSBootstrap.ps1
	Karpenter        Format = "karpenter"         // EC2NodeClass
	Eksctl           Format = "eksctl"            // ClusterConfig
)

// Formats lists every format, the default first.
var Formats = []Format{AL2023, AL2023Expression, AL2, Bottlerocket, Windows, Karpenter, Eksctl}

// ParseFormat reads --format: one of Formats, in any case (enum.Parse).
func ParseFormat(s string) (Format, error) { return enum.Parse("format", s, Formats) }

// IsUserData reports whether the format is EC2 user data (and so bound by
// EC2's 16 KB limit), rather than a Kubernetes or eksctl document.
func (f Format) IsUserData() bool { return f != Karpenter && f != Eksctl }

// MaxUserDataBytes is EC2's limit on user data, before base64 encoding.
const MaxUserDataBytes = 16 * 1024

// Request is everything a document is made from.
type Request struct {
	Format  Format
	Cluster Cluster
	CNI     formula.Query
	// Results are the instance types the nodes run, computed under CNI. The
	// expression format may have none.
	Results []formula.Result
	// Name names the EC2NodeClass (karpenter) or the node group (eksctl).
	Name string
	// Expression, Differences and TableDifferences are for al2023-expression:
	// what the expression may read, the given types on which it differs from
	// eksnet maxpods, and how many of TableTypes in the whole table differ.
	Expression ExpressionOptions
	// KubeletOnly writes a NodeConfig with the kubelet block alone (AL2023).
	KubeletOnly bool
	// Region is the cluster's AWS region, which eksctl's ClusterConfig needs.
	Region           string
	Differences      []Difference
	TableDifferences int
	TableTypes       int
}

// al2EphemeralStorage is the ephemeral-storage bootstrap.sh reserves.
const al2EphemeralStorage = "1Gi"

// kubeletOnlyLine says what a NodeConfig without spec.cluster is for.
const kubeletOnlyLine = "Kubelet settings only: for a managed node group without a custom AMI, whose own NodeConfig carries the cluster; nodeadm merges the two."

// DefaultName is the EC2NodeClass and node group name when none is given.
const DefaultName = "default"

// Generate validates the request and writes its document, in the format's
// shape (docs/max-pods.md "User data that carries the value"); user data over
// EC2's 16 KB is refused.
func Generate(req Request) ([]byte, error) {
	if _, err := ParseFormat(string(req.Format)); err != nil {
		return nil, err
	}
	switch {
	case req.Format == Eksctl && req.Region == "":
		return nil, errors.New("--format eksctl needs the cluster's region (eksctl takes none with a config file): pass --region, or set AWS_REGION or a region in the AWS profile")
	case req.Region != "" && !vpc.IsRegionName(req.Region):
		return nil, fmt.Errorf("invalid region %q: want a region name such as us-west-2", req.Region)
	case req.KubeletOnly && req.Format != AL2023 && req.Format != AL2023Expression:
		return nil, fmt.Errorf("--kubelet-only is for --format al2023 or al2023-expression, not %s", req.Format)
	case req.KubeletOnly && req.Cluster != (Cluster{}):
		return nil, errors.New("--kubelet-only writes no cluster block: drop --cluster-name, --api-server-endpoint, --certificate-authority and --service-cidr (the managed node group's own NodeConfig has them)")
	case !req.KubeletOnly:
		if err := req.Cluster.Validate(req.Format, req.CNI.IPFamily); err != nil {
			return nil, err
		}
	}
	if req.Name == "" {
		req.Name = DefaultName
	}
	if err := ValidateObjectName(req.Name); err != nil {
		return nil, err
	}
	if err := req.CNI.Validate(); err != nil {
		return nil, err
	}
	doc, err := render(req)
	if err != nil {
		return nil, err
	}
	if req.Format.IsUserData() && len(doc) > MaxUserDataBytes {
		return nil, fmt.Errorf("user data is %d bytes, over EC2's limit of %d: shorten the cluster values, or use --format al2023-expression, one expression for every type", len(doc), MaxUserDataBytes)
	}
	return doc, nil
}

// render writes the document of a validated request. Split from Generate so
// that tests can hand it hostile values that validation would refuse, and
// check that the quoting alone keeps the structure.
func render(req Request) ([]byte, error) {
	if req.Format == AL2023Expression {
		return al2023Expression(req)
	}
	fixed, err := FixedValue(req.Results)
	if err != nil {
		return nil, err
	}
	switch req.Format {
	case AL2023:
		return al2023(req, fixed)
	case AL2:
		return al2(req, fixed)
	case Bottlerocket:
		return bottlerocket(req, fixed)
	case Windows:
		return windows(req, fixed)
	case Karpenter:
		return karpenter(req, fixed)
	case Eksctl:
		return eksctl(req, fixed)
	}
	return nil, fmt.Errorf("invalid format %q", req.Format)
}

// NodeConfig is nodeadm's configuration (node.eks.aws/v1alpha1), the fields
// eksnet writes.
type NodeConfig struct {
	APIVersion string         `yaml:"apiVersion"`
	Kind       string         `yaml:"kind"`
	Spec       NodeConfigSpec `yaml:"spec"`
}

// NodeConfigSpec is a NodeConfig's spec.
type NodeConfigSpec struct {
	Cluster *NodeCluster `yaml:"cluster,omitempty"` // nil in a kubelet-only NodeConfig
	Kubelet NodeKubelet  `yaml:"kubelet"`
}

// NodeCluster is spec.cluster: how the node finds and trusts the cluster.
type NodeCluster struct {
	Name                 string `yaml:"name"`
	APIServerEndpoint    string `yaml:"apiServerEndpoint"`
	CertificateAuthority string `yaml:"certificateAuthority"`
	CIDR                 string `yaml:"cidr"`
}

// NodeKubelet is spec.kubelet: a fixed config, or the max pods expression.
type NodeKubelet struct {
	Config            *KubeletConfig `yaml:"config,omitempty"`
	MaxPodsExpression string         `yaml:"maxPodsExpression,omitempty"`
}

// KubeletConfig is the part of the kubelet's configuration eksnet sets.
type KubeletConfig struct {
	MaxPods      int          `yaml:"maxPods"`
	KubeReserved KubeReserved `yaml:"kubeReserved"`
}

// KubeReserved is the kubelet's kube-reserved, as quantities.
type KubeReserved struct {
	CPU    string `yaml:"cpu"`
	Memory string `yaml:"memory"`
}

const (
	nodeConfigAPIVersion = "node.eks.aws/v1alpha1"
	nodeConfigMediaType  = "application/node.eks.aws"
	mimeBoundary         = "//eksnet-userdata//"
)

// nodeCluster is spec.cluster, or none for a kubelet-only NodeConfig.
func nodeCluster(req Request) *NodeCluster {
	if req.KubeletOnly {
		return nil
	}
	c := req.Cluster
	return &NodeCluster{Name: c.Name, APIServerEndpoint: c.APIServerEndpoint, CertificateAuthority: c.CertificateAuthority, CIDR: c.ServiceCIDR}
}

func al2023(req Request, f Fixed) ([]byte, error) {
	comments := append(f.valueLines(req.CNI), f.reservedLine()...)
	if trap := f.trapLine("A fixed maxPods alone leaves kubeReserved to nodeadm, which"); trap != "" {
		comments = append(comments, "kubeReserved is set to match maxPods. "+trap)
	}
	if req.KubeletOnly {
		comments = append(comments, kubeletOnlyLine)
	}
	cfg := NodeConfig{APIVersion: nodeConfigAPIVersion, Kind: "NodeConfig", Spec: NodeConfigSpec{
		Cluster: nodeCluster(req),
		Kubelet: NodeKubelet{Config: &KubeletConfig{MaxPods: f.MaxPods, KubeReserved: KubeReserved{CPU: f.cpu(), Memory: f.memory()}}},
	}}
	part, err := yamlDocument(comments, cfg)
	if err != nil {
		return nil, err
	}
	return mimeMultipart(nodeConfigMediaType, part)
}

func al2023Expression(req Request) ([]byte, error) {
	expr, err := Expression(req.CNI, req.Expression)
	if err != nil {
		return nil, err
	}
	comments := []string{
		"Generated by eksnet userdata: " + describeMode(req.CNI) + ".",
		"maxPodsExpression computes eksnet's max pods on each node from nodeadm's variables,",
		"so one launch template serves every instance type; nodeadm sizes kube-reserved from it.",
		"maxPodsExpression needs nodeadm " + MaxPodsExpressionSince + " or later (an EKS AL2023 AMI of that release); an older nodeadm ignores it.",
	}
	if limits := ExpressionLimits(req.CNI, req.Expression); len(limits) > 0 {
		comments = append(comments, "What the variables cannot tell:")
		for _, l := range limits {
			comments = append(comments, "- "+l)
		}
	}
	if req.TableTypes > 0 {
		comments = append(comments, fmt.Sprintf("It differs from eksnet maxpods on %d of the %d types in eksnet's table (eksnet userdata --format al2023-expression%s --list-differences).",
			req.TableDifferences, req.TableTypes, modeFlags(req.CNI, req.Expression)))
	}
	if len(req.Results) > 0 {
		comments = append(comments, expressionTypeLines(req)...)
	}
	if req.KubeletOnly {
		comments = append(comments, kubeletOnlyLine)
	}
	cfg := NodeConfig{APIVersion: nodeConfigAPIVersion, Kind: "NodeConfig", Spec: NodeConfigSpec{
		Cluster: nodeCluster(req),
		Kubelet: NodeKubelet{MaxPodsExpression: expr},
	}}
	part, err := yamlDocument(comments, cfg)
	if err != nil {
		return nil, err
	}
	return mimeMultipart(nodeConfigMediaType, part)
}

// expressionTypeLines tells, for the types given, whether the expression
// gives eksnet's value.
func expressionTypeLines(req Request) []string {
	never := func(formula.Result) bool { return false }
	shown, rest := listed(req.Results, never)
	names := make([]string, len(shown))
	for i, r := range shown {
		names[i] = r.InstanceType
	}
	if len(rest) > 0 {
		names = append(names, fmt.Sprintf("and %d more", len(rest)))
	}
	if len(req.Differences) == 0 {
		return []string{"On the types given it gives eksnet's value: " + strings.Join(names, ", ") + "."}
	}
	lines := []string{fmt.Sprintf("On %d of the %d types given it differs from eksnet maxpods:", len(req.Differences), len(req.Results))}
	diffs, more := listed(req.Differences, func(Difference) bool { return false })
	for _, d := range diffs {
		lines = append(lines, fmt.Sprintf("  %s: expression %d, eksnet %d (%s)", d.InstanceType, d.Expression, d.MaxPods, d.Reason))
	}
	if len(more) > 0 {
		lines = append(lines, fmt.Sprintf("  ... and %d more (eksnet userdata --format al2023-expression --list-differences lists each).", len(more)))
	}
	return lines
}

// mimeMultipart wraps one part in the MIME multipart user data that nodeadm
// and cloud-init read. The boundary must not occur in the part.
func mimeMultipart(contentType string, part []byte) ([]byte, error) {
	if bytes.Contains(part, []byte("--"+mimeBoundary)) {
		return nil, errors.New("user data contains the MIME boundary")
	}
	var b bytes.Buffer
	b.WriteString("MIME-Version: 1.0\n")
	fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=%q\n\n", mimeBoundary)
	fmt.Fprintf(&b, "--%s\nContent-Type: %s\n\n", mimeBoundary, contentType)
	b.Write(part)
	fmt.Fprintf(&b, "\n--%s--\n", mimeBoundary)
	return b.Bytes(), nil
}

// yamlDocument encodes v with yaml.v3, after a head comment of lines (which
// hold only eksnet's own text: numbers and instance type names).
func yamlDocument(comments []string, v any) ([]byte, error) {
	doc := &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{yamlNode(reflect.ValueOf(v))}, HeadComment: commentBlock("# ", comments)}
	return manifest.EncodeYAML(doc)
}

// yamlNode builds the node tree of a value made of structs with yaml tags,
// pointers, maps and slices of strings and ints. yaml.v3's own conversion
// (Node.Encode) goes through its emitter, which writes a string with a
// leading line break in block style and loses that line break; here every
// string with a line break, a control character or edge blanks is
// double-quoted, with escapes, and a string that is not UTF-8 is !!binary.
func yamlNode(v reflect.Value) *yaml.Node {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		return yamlNode(v.Elem())
	case reflect.Struct:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		for i := range v.NumField() {
			name, opts, _ := strings.Cut(v.Type().Field(i).Tag.Get("yaml"), ",")
			field := v.Field(i)
			if name == "" || name == "-" || opts == "omitempty" && field.IsZero() {
				continue
			}
			n.Content = append(n.Content, yamlString(name), yamlNode(field))
		}
		return n
	case reflect.Map:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		for _, k := range keys {
			n.Content = append(n.Content, yamlString(k.String()), yamlNode(v.MapIndex(k)))
		}
		return n
	case reflect.Slice:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for i := range v.Len() {
			n.Content = append(n.Content, yamlNode(v.Index(i)))
		}
		return n
	case reflect.Int:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(v.Int(), 10)}
	case reflect.String:
		return yamlString(v.String())
	}
	panic(fmt.Sprintf("userdata: no YAML for %s", v.Type()))
}

func yamlString(s string) *yaml.Node {
	if !utf8.ValidString(s) {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!binary", Value: base64.StdEncoding.EncodeToString([]byte(s))}
	}
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	if strings.ContainsFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f }) || strings.TrimSpace(s) != s {
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}

// commentWidth is where comment lines wrap, prefix included.
const commentWidth = 100

// commentBlock prefixes every line, wrapping long ones at spaces; a "- "
// item continues indented under its text, and an indented row (a type's
// line in a mixed group) further in than its start. eksnet's lines hold no
// newline.
func commentBlock(prefix string, lines []string) string {
	var out []string
	for _, l := range lines {
		l = strings.ReplaceAll(l, "\n", " ")
		indent := ""
		switch lead := len(l) - len(strings.TrimLeft(l, " ")); {
		case strings.HasPrefix(l, "- "):
			indent = "  "
		case lead > 0:
			indent = strings.Repeat(" ", lead+4)
		}
		for len(prefix)+len(l) > commentWidth {
			cut := strings.LastIndex(l[:commentWidth-len(prefix)], " ")
			if cut <= len(indent) {
				break
			}
			out = append(out, strings.TrimRight(prefix+l[:cut], " "))
			l = indent + strings.TrimLeft(l[cut:], " ")
		}
		out = append(out, strings.TrimRight(prefix+l, " "))
	}
	return strings.Join(out, "\n")
}

func al2(req Request, f Fixed) ([]byte, error) {
	comments := append(f.valueLines(req.CNI), f.reservedLine()...)
	if trap := f.trapLine("--max-pods alone leaves kube-reserved to bootstrap.sh, which"); trap != "" {
		comments = append(comments, "--kube-reserved is set to match --max-pods. "+trap)
	}
	comments = append(comments, "For self-managed nodes and managed node groups with a custom AMI (the AMI runs this script).")
	c := req.Cluster
	if err := scriptSafe(c); err != nil {
		return nil, err
	}
	args := []string{ShellQuote(c.Name)}
	if c.APIServerEndpoint != "" {
		args = append(args, "--apiserver-endpoint "+ShellQuote(c.APIServerEndpoint))
	}
	if c.CertificateAuthority != "" {
		args = append(args, "--b64-cluster-ca "+ShellQuote(c.CertificateAuthority))
	}
	if req.CNI.IPFamily == cni.IPv6 {
		args = append(args, "--ip-family ipv6")
		if c.ServiceCIDR != "" {
			args = append(args, "--service-ipv6-cidr "+ShellQuote(c.ServiceCIDR))
		}
	} else if c.ServiceCIDR != "" {
		args = append(args, "--service-ipv4-cidr "+ShellQuote(c.ServiceCIDR))
	}
	// The flag replaces the whole kubeReserved map bootstrap.sh writes to
	// kubelet-config.json, so it carries bootstrap.sh's ephemeral-storage
	// too (templates/al2/runtime/bootstrap.sh of amazon-eks-ami).
	kubelet := fmt.Sprintf("--max-pods=%d --kube-reserved=cpu=%s,ephemeral-storage=%s,memory=%s", f.MaxPods, f.cpu(), al2EphemeralStorage, f.memory())
	args = append(args, "--use-max-pods false", "--kubelet-extra-args "+ShellQuote(kubelet))
	var b bytes.Buffer
	b.WriteString("#!/bin/bash\n")
	b.WriteString(commentBlock("# ", comments) + "\n")
	b.WriteString("set -o errexit -o nounset -o pipefail\n")
	b.WriteString("/etc/eks/bootstrap.sh " + strings.Join(args, " \\\n  ") + "\n")
	return b.Bytes(), nil
}

// scriptSafe refuses values that a script cannot carry as text: NUL bytes,
// carriage returns (which line-ending conversions drop) and invalid UTF-8.
// Validation refuses them first; this keeps the quoting whole on its own.
func scriptSafe(c Cluster) error {
	for _, v := range []string{c.Name, c.APIServerEndpoint, c.CertificateAuthority, c.ServiceCIDR} {
		if strings.ContainsAny(v, "\x00\r") || !utf8.ValidString(v) {
			return fmt.Errorf("invalid value %q: NUL bytes, carriage returns and invalid UTF-8 cannot be written in a script", v)
		}
	}
	return nil
}

// bottlerocketSettings is the part of Bottlerocket's settings eksnet writes.
type bottlerocketSettings struct {
	Settings struct {
		Kubernetes BottlerocketKubernetes `toml:"kubernetes"`
	} `toml:"settings"`
}

// BottlerocketKubernetes is Bottlerocket's [settings.kubernetes].
type BottlerocketKubernetes struct {
	ClusterName        string            `toml:"cluster-name"`
	APIServer          string            `toml:"api-server"`
	ClusterCertificate string            `toml:"cluster-certificate"`
	ClusterDNSIP       string            `toml:"cluster-dns-ip,omitempty"`
	MaxPods            int               `toml:"max-pods"`
	KubeReserved       map[string]string `toml:"kube-reserved"`
}

func bottlerocket(req Request, f Fixed) ([]byte, error) {
	for _, v := range []string{req.Cluster.Name, req.Cluster.APIServerEndpoint, req.Cluster.CertificateAuthority} {
		if !utf8.ValidString(v) {
			return nil, fmt.Errorf("invalid value %q: TOML holds only UTF-8", v)
		}
	}
	comments := append(f.valueLines(req.CNI), f.reservedLine()...)
	comments = append(comments, "Bottlerocket looks max pods up in its own table (110 when the type is missing) and knows no CNI mode: max-pods and kube-reserved are set here.")
	var s bottlerocketSettings
	s.Settings.Kubernetes = BottlerocketKubernetes{
		ClusterName: req.Cluster.Name, APIServer: req.Cluster.APIServerEndpoint, ClusterCertificate: req.Cluster.CertificateAuthority,
		MaxPods: f.MaxPods, KubeReserved: map[string]string{"cpu": f.cpu(), "memory": f.memory()},
	}
	if req.CNI.IsIPv6() {
		// Bottlerocket derives the cluster DNS address from an IPv4 service
		// CIDR only: an IPv6 cluster's is set here, the service range's
		// tenth address, as EKS places kube-dns (fd00:10:100::a).
		if req.Cluster.ServiceCIDR == "" {
			return nil, errors.New("--format bottlerocket in an IPv6 cluster needs --service-cidr: Bottlerocket cannot derive the cluster DNS address (cluster-dns-ip) from an IPv6 range")
		}
		p, err := ParseServiceCIDR(req.Cluster.ServiceCIDR)
		if err != nil {
			return nil, err
		}
		s.Settings.Kubernetes.ClusterDNSIP = clusterDNSAddr(p).String()
		comments = append(comments, "cluster-dns-ip is the IPv6 service range's tenth address, where EKS runs kube-dns: Bottlerocket derives it only from an IPv4 range.")
	}
	var b bytes.Buffer
	b.WriteString(commentBlock("# ", comments) + "\n")
	enc := toml.NewEncoder(&b)
	enc.SetIndentTables(false)
	if err := enc.Encode(s); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func windows(req Request, f Fixed) ([]byte, error) {
	comments := f.valueLines(req.CNI)
	comments = append(comments, "Windows nodes take pod addresses from the primary ENI alone (the VPC resource controller assigns them): -KubeletExtraArgs sets that limit, where the bootstrap's default is 110.")
	if req.CNI.PrefixDelegation {
		comments = append(comments, "Windows prefix delegation is the VPC resource controller's enable-windows-prefix-delegation in the amazon-vpc-cni ConfigMap, not ENABLE_PREFIX_DELEGATION.")
	}
	c := req.Cluster
	if err := scriptSafe(c); err != nil {
		return nil, err
	}
	// EC2Launch ends the script at the first closing tag, quoted or not.
	for _, v := range []string{c.Name, c.APIServerEndpoint, c.CertificateAuthority, c.ServiceCIDR} {
		if strings.Contains(strings.ToLower(v), "</powershell") {
			return nil, fmt.Errorf("invalid value %q: </powershell> would end the user data", v)
		}
	}
	args := []string{"-EKSClusterName " + PowerShellQuote(c.Name)}
	if c.APIServerEndpoint != "" {
		args = append(args, "-APIServerEndpoint "+PowerShellQuote(c.APIServerEndpoint))
	}
	if c.CertificateAuthority != "" {
		args = append(args, "-Base64ClusterCA "+PowerShellQuote(c.CertificateAuthority))
	}
	if c.ServiceCIDR != "" {
		args = append(args, "-ServiceCIDR "+PowerShellQuote(c.ServiceCIDR))
	}
	args = append(args, "-KubeletExtraArgs "+PowerShellQuote(fmt.Sprintf("--max-pods=%d", f.MaxPods)))
	var b bytes.Buffer
	b.WriteString("<powershell>\n")
	b.WriteString(commentBlock("# ", comments) + "\n")
	b.WriteString(`[string]$EKSBootstrapScriptFile = "$env:ProgramFiles\Amazon\EKS\Start-EKSBootstrap.ps1"` + "\n")
	b.WriteString("& $EKSBootstrapScriptFile " + strings.Join(args, " ") + " 3>&1 4>&1 5>&1 6>&1\n")
	b.WriteString("</powershell>\n")
	return b.Bytes(), nil
}

// EC2NodeClass is the part of Karpenter's EC2NodeClass (karpenter.k8s.aws/v1) eksnet writes.
type EC2NodeClass struct {
	APIVersion string           `yaml:"apiVersion"`
	Kind       string           `yaml:"kind"`
	Metadata   ObjectMeta       `yaml:"metadata"`
	Spec       EC2NodeClassSpec `yaml:"spec"`
}

// ObjectMeta is a Kubernetes object's name.
type ObjectMeta struct {
	Name string `yaml:"name"`
}

// EC2NodeClassSpec is an EC2NodeClass's spec.
type EC2NodeClassSpec struct {
	Role                       string            `yaml:"role"`
	AMISelectorTerms           []AMISelectorTerm `yaml:"amiSelectorTerms"`
	SubnetSelectorTerms        []TagSelectorTerm `yaml:"subnetSelectorTerms"`
	SecurityGroupSelectorTerms []TagSelectorTerm `yaml:"securityGroupSelectorTerms"`
	Kubelet                    KarpenterKubelet  `yaml:"kubelet"`
}

// AMISelectorTerm picks the AMI by alias.
type AMISelectorTerm struct {
	Alias string `yaml:"alias"`
}

// TagSelectorTerm picks subnets or security groups by tag.
type TagSelectorTerm struct {
	Tags map[string]string `yaml:"tags"`
}

// KarpenterKubelet is an EC2NodeClass's spec.kubelet.
type KarpenterKubelet struct {
	MaxPods      int          `yaml:"maxPods"`
	KubeReserved KubeReserved `yaml:"kubeReserved"`
}

// NodePool is the part of Karpenter's NodePool (karpenter.sh/v1) eksnet
// writes: the types its EC2NodeClass's values are right for.
type NodePool struct {
	APIVersion string       `yaml:"apiVersion"`
	Kind       string       `yaml:"kind"`
	Metadata   ObjectMeta   `yaml:"metadata"`
	Spec       NodePoolSpec `yaml:"spec"`
}

// NodePoolSpec is a NodePool's spec.
type NodePoolSpec struct {
	Template NodeClaimTemplate `yaml:"template"`
}

// NodeClaimTemplate is a NodePool's spec.template.
type NodeClaimTemplate struct {
	Spec NodeClaimSpec `yaml:"spec"`
}

// NodeClaimSpec ties the NodePool to its class and types.
type NodeClaimSpec struct {
	NodeClassRef NodeClassRef  `yaml:"nodeClassRef"`
	Requirements []Requirement `yaml:"requirements"`
}

// NodeClassRef names an EC2NodeClass.
type NodeClassRef struct {
	Group string `yaml:"group"`
	Kind  string `yaml:"kind"`
	Name  string `yaml:"name"`
}

// Requirement is a node selector requirement.
type Requirement struct {
	Key      string   `yaml:"key"`
	Operator string   `yaml:"operator"`
	Values   []string `yaml:"values"`
}

// karpenterGroup is the types that need the same kubelet values.
type karpenterGroup struct {
	name  string
	fixed Fixed
}

// karpenterGroups splits the types by the values they need (max pods and
// kube-reserved), in the order the types first appear: each group gets its
// own EC2NodeClass and NodePool, so that no type is pinned to another's
// value. A single group keeps the name asked for; several are named
// NAME-<maxPods>pods-<cpu>, stable for the same types and settings.
func karpenterGroups(name string, results []formula.Result) ([]karpenterGroup, error) {
	type key struct{ maxPods, cpu int }
	var order []key
	byKey := map[key][]formula.Result{}
	for _, r := range results {
		k := key{r.MaxPods, r.KubeReservedCPUMillicores}
		if _, seen := byKey[k]; !seen {
			order = append(order, k)
		}
		byKey[k] = append(byKey[k], r)
	}
	groups := make([]karpenterGroup, 0, len(order))
	for _, k := range order {
		f, err := FixedValue(byKey[k])
		if err != nil {
			return nil, err
		}
		g := karpenterGroup{name: name, fixed: f}
		if len(order) > 1 {
			g.name = fmt.Sprintf("%s-%dpods-%dm", name, k.maxPods, k.cpu)
		}
		if err := ValidateObjectName(g.name); err != nil {
			return nil, err
		}
		groups = append(groups, g)
	}
	return groups, nil
}

func karpenter(req Request, _ Fixed) ([]byte, error) {
	groups, err := karpenterGroups(req.Name, req.Results)
	if err != nil {
		return nil, err
	}
	tags := map[string]string{"karpenter.sh/discovery": req.Cluster.Name}
	var b bytes.Buffer
	for i, g := range groups {
		f := g.fixed
		comments := append(f.valueLines(req.CNI), f.reservedLine()...)
		if i == 0 {
			comments = append(comments, karpenterAdvice(req.CNI, len(groups))...)
		}
		nc := EC2NodeClass{
			APIVersion: "karpenter.k8s.aws/v1", Kind: "EC2NodeClass", Metadata: ObjectMeta{Name: g.name},
			Spec: EC2NodeClassSpec{
				Role:                       "KarpenterNodeRole-" + req.Cluster.Name,
				AMISelectorTerms:           []AMISelectorTerm{{Alias: "al2023@latest"}},
				SubnetSelectorTerms:        []TagSelectorTerm{{Tags: tags}},
				SecurityGroupSelectorTerms: []TagSelectorTerm{{Tags: tags}},
				Kubelet:                    KarpenterKubelet{MaxPods: f.MaxPods, KubeReserved: KubeReserved{CPU: f.cpu(), Memory: f.memory()}},
			},
		}
		types := make([]string, len(f.Results))
		for j, r := range f.Results {
			types[j] = r.InstanceType
		}
		pool := NodePool{
			APIVersion: "karpenter.sh/v1", Kind: "NodePool", Metadata: ObjectMeta{Name: g.name},
			Spec: NodePoolSpec{Template: NodeClaimTemplate{Spec: NodeClaimSpec{
				NodeClassRef: NodeClassRef{Group: "karpenter.k8s.aws", Kind: "EC2NodeClass", Name: g.name},
				Requirements: []Requirement{{Key: "node.kubernetes.io/instance-type", Operator: "In", Values: types}},
			}}},
		}
		for j, doc := range []any{nc, pool} {
			var lines []string
			if j == 0 {
				lines = comments
			} else {
				lines = []string{fmt.Sprintf("NodePool %s launches only the types its EC2NodeClass's values are right for.", g.name)}
			}
			part, err := yamlDocument(lines, doc)
			if err != nil {
				return nil, err
			}
			if b.Len() > 0 {
				b.WriteString("---\n")
			}
			b.Write(part)
		}
	}
	return b.Bytes(), nil
}

// karpenterAdvice says when Karpenter's own max pods would already be
// right, and when its RESERVED_ENIS setting is the better lever.
func karpenterAdvice(cfg formula.Query, groups int) []string {
	lines := []string{fmt.Sprintf("%d EC2NodeClass and NodePool pairs: the types grouped by the max pods and kube-reserved they need, each NodePool restricted to its types.", groups)}
	switch {
	case !cfg.PrefixDelegation && !cfg.CustomNetworking && !cfg.SecurityGroupsForPods && !cfg.IsIPv6() && cfg.MaxENI == 0:
		lines = append(lines, "Without prefix delegation or custom networking Karpenter's own max pods (ENIs x (IPs per ENI - 1) + 2) is already this value where it is not capped: these pins matter for the 110/250 cap.")
	case cfg.CustomNetworking && !cfg.PrefixDelegation:
		lines = append(lines, "With custom networking alone, Karpenter's RESERVED_ENIS=1 setting is the better lever: Karpenter then subtracts the primary ENI per type, for every type, without pinning maxPods.")
	default:
		lines = append(lines, "Karpenter computes max pods as if prefix delegation were off (ENIs x (IPs per ENI - 1) + 2, less RESERVED_ENIS), so maxPods is set here.")
	}
	return append(lines, "role, amiSelectorTerms and the discovery tags follow Karpenter's getting-started guide: adjust them to yours.")
}

// ClusterConfig is the part of eksctl's ClusterConfig (eksctl.io/v1alpha5) eksnet writes.
type ClusterConfig struct {
	APIVersion        string             `yaml:"apiVersion"`
	Kind              string             `yaml:"kind"`
	Metadata          ClusterMeta        `yaml:"metadata"`
	ManagedNodeGroups []ManagedNodeGroup `yaml:"managedNodeGroups"`
}

// ClusterMeta is a ClusterConfig's metadata: eksctl's loader requires the
// region (it takes no --region with a config file).
type ClusterMeta struct {
	Name   string `yaml:"name"`
	Region string `yaml:"region"`
}

// ManagedNodeGroup is one entry of managedNodeGroups.
type ManagedNodeGroup struct {
	Name           string   `yaml:"name"`
	InstanceTypes  []string `yaml:"instanceTypes"`
	MaxPodsPerNode int      `yaml:"maxPodsPerNode"`
}

func eksctl(req Request, f Fixed) ([]byte, error) {
	comments := append(f.valueLines(req.CNI), "")
	comments[len(comments)-1] = fmt.Sprintf("kube-reserved to match: memory %s (11 x %d + 255).", f.memory(), f.MaxPods)
	if trap := f.trapLine("maxPodsPerNode sets max pods only; the node"); trap != "" {
		comments = append(comments, trap+" Reserve the memory above with a launch template from eksnet userdata --format al2023.")
	}
	types := make([]string, len(f.Results))
	for i, r := range f.Results {
		types[i] = r.InstanceType
	}
	cc := ClusterConfig{
		APIVersion: "eksctl.io/v1alpha5", Kind: "ClusterConfig", Metadata: ClusterMeta{Name: req.Cluster.Name, Region: req.Region},
		ManagedNodeGroups: []ManagedNodeGroup{{Name: req.Name, InstanceTypes: types, MaxPodsPerNode: f.MaxPods}},
	}
	return yamlDocument(comments, cc)
}

// clusterDNSAddr is the service range's tenth address (offset 10), where EKS
// places kube-dns: 10.100.0.10, fd00:10:100::a.
func clusterDNSAddr(p netip.Prefix) netip.Addr {
	a := p.Masked().Addr()
	for range 10 {
		a = a.Next()
	}
	return a
}
