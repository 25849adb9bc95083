package userdata

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/eksnet/eksnet/internal/crdtest"

	"github.com/pelletier/go-toml/v2"
	"gopkg.in/yaml.v3"
	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/syntax"

	"github.com/eksnet/eksnet/internal/cni"
	"github.com/eksnet/eksnet/internal/formula"
)

// The shapes below are written from the tools' own documentation, apart from
// the generator's types, so that strict decoding catches a misspelt or
// misplaced field.

// nodeadmConfig is nodeadm's NodeConfig (node.eks.aws/v1alpha1).
type nodeadmConfig struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Spec       struct {
		Cluster struct {
			Name                 string `yaml:"name"`
			APIServerEndpoint    string `yaml:"apiServerEndpoint"`
			CertificateAuthority string `yaml:"certificateAuthority"`
			CIDR                 string `yaml:"cidr"`
		} `yaml:"cluster"`
		Kubelet struct {
			Config *struct {
				MaxPods      int               `yaml:"maxPods"`
				KubeReserved map[string]string `yaml:"kubeReserved"`
			} `yaml:"config"`
			Flags             []string `yaml:"flags"`
			MaxPodsExpression string   `yaml:"maxPodsExpression"`
		} `yaml:"kubelet"`
	} `yaml:"spec"`
}

// bottlerocketTOML is Bottlerocket's user data settings.
type bottlerocketTOML struct {
	Settings struct {
		Kubernetes struct {
			ClusterName        string            `toml:"cluster-name"`
			APIServer          string            `toml:"api-server"`
			ClusterCertificate string            `toml:"cluster-certificate"`
			ClusterDNSIP       string            `toml:"cluster-dns-ip"`
			MaxPods            int               `toml:"max-pods"`
			KubeReserved       map[string]string `toml:"kube-reserved"`
		} `toml:"kubernetes"`
	} `toml:"settings"`
}

// karpenterNodeClass is a Karpenter EC2NodeClass (karpenter.k8s.aws/v1).
type karpenterNodeClass struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Spec struct {
		Role             string `yaml:"role"`
		AMISelectorTerms []struct {
			Alias string `yaml:"alias"`
		} `yaml:"amiSelectorTerms"`
		SubnetSelectorTerms []struct {
			Tags map[string]string `yaml:"tags"`
		} `yaml:"subnetSelectorTerms"`
		SecurityGroupSelectorTerms []struct {
			Tags map[string]string `yaml:"tags"`
		} `yaml:"securityGroupSelectorTerms"`
		Kubelet struct {
			MaxPods      int               `yaml:"maxPods"`
			KubeReserved map[string]string `yaml:"kubeReserved"`
		} `yaml:"kubelet"`
	} `yaml:"spec"`
}

// karpenterNodePool is a Karpenter NodePool (karpenter.sh/v1).
type karpenterNodePool struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Spec struct {
		Template struct {
			Spec struct {
				NodeClassRef struct {
					Group string `yaml:"group"`
					Kind  string `yaml:"kind"`
					Name  string `yaml:"name"`
				} `yaml:"nodeClassRef"`
				Requirements []struct {
					Key      string   `yaml:"key"`
					Operator string   `yaml:"operator"`
					Values   []string `yaml:"values"`
				} `yaml:"requirements"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

// karpenterPair is one EC2NodeClass and the NodePool that uses it.
type karpenterPair struct {
	class karpenterNodeClass
	pool  karpenterNodePool
}

// parseKarpenter reads the karpenter format as kubectl apply would: a
// stream of documents, here strictly EC2NodeClass, NodePool, EC2NodeClass,
// NodePool, ..., each pool naming its class and restricting instance types.
func parseKarpenter(data []byte) ([]karpenterPair, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var pairs []karpenterPair
	for i := 0; ; i++ {
		var node yaml.Node
		err := dec.Decode(&node)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		doc, err := yaml.Marshal(&node)
		if err != nil {
			return nil, err
		}
		if i%2 == 0 {
			var p karpenterPair
			if err := decodeYAML(doc, &p.class); err != nil {
				return nil, fmt.Errorf("document %d: %v", i, err)
			}
			if p.class.Kind != "EC2NodeClass" || p.class.APIVersion != "karpenter.k8s.aws/v1" {
				return nil, fmt.Errorf("document %d is %s %s, want an EC2NodeClass", i, p.class.APIVersion, p.class.Kind)
			}
			pairs = append(pairs, p)
			continue
		}
		p := &pairs[len(pairs)-1]
		if err := decodeYAML(doc, &p.pool); err != nil {
			return nil, fmt.Errorf("document %d: %v", i, err)
		}
		ref, reqs := p.pool.Spec.Template.Spec.NodeClassRef, p.pool.Spec.Template.Spec.Requirements
		switch {
		case p.pool.Kind != "NodePool" || p.pool.APIVersion != "karpenter.sh/v1":
			return nil, fmt.Errorf("document %d is %s %s, want a NodePool", i, p.pool.APIVersion, p.pool.Kind)
		case ref.Group != "karpenter.k8s.aws" || ref.Kind != "EC2NodeClass" || ref.Name != p.class.Metadata.Name || p.pool.Metadata.Name != ref.Name:
			return nil, fmt.Errorf("NodePool %q refers to %+v, want EC2NodeClass %q", p.pool.Metadata.Name, ref, p.class.Metadata.Name)
		case len(reqs) != 1 || reqs[0].Key != "node.kubernetes.io/instance-type" || reqs[0].Operator != "In" || len(reqs[0].Values) == 0:
			return nil, fmt.Errorf("NodePool %q requirements %+v, want instance-type In [types]", p.pool.Metadata.Name, reqs)
		}
	}
	if len(pairs) == 0 || pairs[len(pairs)-1].pool.Kind == "" {
		return nil, fmt.Errorf("%d documents, want EC2NodeClass and NodePool pairs", 2*len(pairs))
	}
	return pairs, nil
}

// eksctlConfig is an eksctl ClusterConfig (eksctl.io/v1alpha5).
type eksctlConfig struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name   string `yaml:"name"`
		Region string `yaml:"region"`
	} `yaml:"metadata"`
	ManagedNodeGroups []struct {
		Name           string   `yaml:"name"`
		InstanceTypes  []string `yaml:"instanceTypes"`
		MaxPodsPerNode int      `yaml:"maxPodsPerNode"`
	} `yaml:"managedNodeGroups"`
}

// decodeYAML decodes exactly one YAML document strictly into v.
func decodeYAML(data []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return err
	}
	var extra any
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return fmt.Errorf("more than one YAML document (%v)", err)
	}
	return nil
}

// parseNodeadm reads AL2023 user data as nodeadm and cloud-init do: a MIME
// multipart message whose one part is a NodeConfig.
func parseNodeadm(data []byte) (nodeadmConfig, error) {
	var cfg nodeadmConfig
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return cfg, err
	}
	if v := msg.Header.Get("MIME-Version"); v != "1.0" {
		return cfg, fmt.Errorf("MIME-Version %q", v)
	}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/mixed" {
		return cfg, fmt.Errorf("content type %q: %v", mediaType, err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	part, err := mr.NextPart()
	if err != nil {
		return cfg, err
	}
	if ct := part.Header.Get("Content-Type"); ct != "application/node.eks.aws" {
		return cfg, fmt.Errorf("part content type %q", ct)
	}
	body, err := io.ReadAll(part)
	if err != nil {
		return cfg, err
	}
	if _, err := mr.NextPart(); !errors.Is(err, io.EOF) {
		return cfg, fmt.Errorf("want one part, then the end: %v", err)
	}
	if err := decodeYAML(body, &cfg); err != nil {
		return cfg, err
	}
	if cfg.APIVersion != "node.eks.aws/v1alpha1" || cfg.Kind != "NodeConfig" {
		return cfg, fmt.Errorf("apiVersion %q kind %q", cfg.APIVersion, cfg.Kind)
	}
	return cfg, nil
}

func parseBottlerocket(data []byte) (bottlerocketTOML, error) {
	var s bottlerocketTOML
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return s, dec.Decode(&s)
}

// parseAL2 parses the script as a POSIX shell would and returns the
// arguments of its bootstrap.sh command, after checking that the script is
// exactly `set ...` and that one command, with nothing to expand.
func parseAL2(data []byte) ([]string, error) {
	file, err := syntax.NewParser(syntax.Variant(syntax.LangPOSIX)).Parse(bytes.NewReader(data), "user-data")
	if err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(data, []byte("#!/bin/bash\n")) {
		return nil, errors.New("no #!/bin/bash line")
	}
	if len(file.Stmts) != 2 {
		return nil, fmt.Errorf("%d statements, want set and bootstrap.sh", len(file.Stmts))
	}
	var expansions []string
	syntax.Walk(file, func(n syntax.Node) bool {
		switch n.(type) {
		case *syntax.CmdSubst, *syntax.ParamExp, *syntax.ArithmExp, *syntax.ProcSubst, *syntax.DblQuoted:
			expansions = append(expansions, fmt.Sprintf("%T", n))
		}
		return true
	})
	if len(expansions) > 0 {
		return nil, fmt.Errorf("the script expands %v", expansions)
	}
	call, ok := file.Stmts[1].Cmd.(*syntax.CallExpr)
	if !ok || len(file.Stmts[1].Redirs) > 0 || file.Stmts[1].Background {
		return nil, errors.New("the second statement is not a plain command")
	}
	words, err := expand.Fields(nil, call.Args...)
	if err != nil {
		return nil, err
	}
	if words[0] != "/etc/eks/bootstrap.sh" {
		return nil, fmt.Errorf("command %q", words[0])
	}
	return words[1:], nil
}

// parseWindows reads the PowerShell user data and returns the bootstrap
// script's arguments. Single-quoted strings follow PowerShell's tokenizer:
// any of ' ‘ ’ ‚ ‛ quotes, and two in a row stand for the second.
func parseWindows(data []byte) ([]string, error) {
	s := string(data)
	const head = "<powershell>\n"
	const call = "[string]$EKSBootstrapScriptFile = \"$env:ProgramFiles\\Amazon\\EKS\\Start-EKSBootstrap.ps1\"\n& $EKSBootstrapScriptFile "
	const tail = " 3>&1 4>&1 5>&1 6>&1\n</powershell>\n"
	if !strings.HasPrefix(s, head) || !strings.HasSuffix(s, tail) {
		return nil, errors.New("not a <powershell> block")
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, head), tail)
	for strings.HasPrefix(s, "#") {
		_, s, _ = strings.Cut(s, "\n")
	}
	if !strings.HasPrefix(s, call) {
		return nil, errors.New("no call of Start-EKSBootstrap.ps1")
	}
	s = strings.TrimPrefix(s, call)
	if i := strings.Index(strings.ToLower(string(data)), "</powershell>"); i != len(data)-len("</powershell>\n") {
		return nil, errors.New("</powershell> before the end")
	}
	isQuote := func(r rune) bool { return strings.ContainsRune(powerShellQuotes, r) }
	var tokens []string
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		switch {
		case r == ' ':
			s = s[size:]
		case isQuote(r):
			s = s[size:]
			var tok strings.Builder
			for {
				if s == "" {
					return nil, errors.New("unterminated string")
				}
				r, size := utf8.DecodeRuneInString(s)
				s = s[size:]
				if isQuote(r) {
					next, nextSize := utf8.DecodeRuneInString(s)
					if s == "" || !isQuote(next) {
						break
					}
					r, s = next, s[nextSize:]
				}
				tok.WriteRune(r)
			}
			if s != "" && s[0] != ' ' {
				return nil, errors.New("text right after a string")
			}
			tokens = append(tokens, tok.String())
		default:
			end := strings.IndexByte(s, ' ')
			if end < 0 {
				end = len(s)
			}
			if strings.ContainsAny(s[:end], "$`\"'();&|{}@\n") {
				return nil, fmt.Errorf("bare token %q", s[:end])
			}
			tokens, s = append(tokens, s[:end]), s[end:]
		}
	}
	return tokens, nil
}

func results(t *testing.T, cfg formula.Query, types ...string) []formula.Result {
	t.Helper()
	var out []formula.Result
	for _, name := range types {
		r, err := formula.Compute(lookup(t, name), cfg)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

var demo = Cluster{
	Name:                 "demo",
	APIServerEndpoint:    "https://ABCD1234.gr7.us-west-2.eks.amazonaws.com",
	CertificateAuthority: "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==",
	ServiceCIDR:          "10.100.0.0/16",
}

// The "done when": m5.large with prefix delegation gives maxPods 110
// and kube-reserved memory 1465Mi, in every format that carries them.
func TestEveryFormatParses(t *testing.T) {
	tests := []struct {
		name    string
		types   []string
		cfg     formula.Query
		maxPods int
		memory  string
		cpu     string
	}{
		{"m5.large prefix", []string{"m5.large"}, query(prefix), 110, "1465Mi", "70m"},
		{"c3.large custom", []string{"c3.large"}, query(custom), 20, "475Mi", "70m"},
		{"mixed", []string{"m5.xlarge", "t3.medium", "m5.large"}, query(), 17, "442Mi", "80m"},
		{"m5.8xlarge prefix", []string{"m5.8xlarge"}, query(prefix), 250, "3005Mi", "150m"},
		{"c5.18xlarge uncapped", []string{"c5.18xlarge"}, query(uncapped), 737, "8362Mi", "250m"},
	}
	for _, tt := range tests {
		rs := results(t, tt.cfg, tt.types...)
		req := Request{Cluster: demo, CNI: tt.cfg, Results: rs, Name: "pods"}
		generate := func(f Format) []byte {
			t.Helper()
			req.Format, req.Region = f, "us-west-2"
			doc, err := Generate(req)
			if err != nil {
				t.Fatalf("%s %s: %v", tt.name, f, err)
			}
			return doc
		}
		reserved := map[string]string{"cpu": tt.cpu, "memory": tt.memory}

		cfg, err := parseNodeadm(generate(AL2023))
		if err != nil {
			t.Fatalf("%s al2023: %v", tt.name, err)
		}
		c := cfg.Spec.Cluster
		if c.Name != demo.Name || c.APIServerEndpoint != demo.APIServerEndpoint || c.CertificateAuthority != demo.CertificateAuthority || c.CIDR != demo.ServiceCIDR ||
			cfg.Spec.Kubelet.Config == nil || cfg.Spec.Kubelet.Config.MaxPods != tt.maxPods || fmt.Sprint(cfg.Spec.Kubelet.Config.KubeReserved) != fmt.Sprint(reserved) ||
			cfg.Spec.Kubelet.MaxPodsExpression != "" {
			t.Errorf("%s al2023: %+v", tt.name, cfg)
		}

		args, err := parseAL2(generate(AL2))
		want := []string{"demo", "--apiserver-endpoint", demo.APIServerEndpoint, "--b64-cluster-ca", demo.CertificateAuthority,
			"--service-ipv4-cidr", demo.ServiceCIDR, "--use-max-pods", "false",
			"--kubelet-extra-args", fmt.Sprintf("--max-pods=%d --kube-reserved=cpu=%s,ephemeral-storage=1Gi,memory=%s", tt.maxPods, tt.cpu, tt.memory)}
		if err != nil || !slices.Equal(args, want) {
			t.Errorf("%s al2: %q (%v), want %q", tt.name, args, err, want)
		}

		br, err := parseBottlerocket(generate(Bottlerocket))
		k := br.Settings.Kubernetes
		if err != nil || k.ClusterName != demo.Name || k.APIServer != demo.APIServerEndpoint || k.ClusterCertificate != demo.CertificateAuthority ||
			k.MaxPods != tt.maxPods || fmt.Sprint(k.KubeReserved) != fmt.Sprint(reserved) {
			t.Errorf("%s bottlerocket: %+v (%v)", tt.name, br, err)
		}

		args, err = parseWindows(generate(Windows))
		want = []string{"-EKSClusterName", "demo", "-APIServerEndpoint", demo.APIServerEndpoint, "-Base64ClusterCA", demo.CertificateAuthority,
			"-ServiceCIDR", demo.ServiceCIDR, "-KubeletExtraArgs", fmt.Sprintf("--max-pods=%d", tt.maxPods)}
		if err != nil || !slices.Equal(args, want) {
			t.Errorf("%s windows: %q (%v), want %q", tt.name, args, err, want)
		}

		// Karpenter gets a class per (max pods, kube-reserved cpu), so each
		// type is launched with its own values rather than the group's
		// smallest.
		pairs, err := parseKarpenter(generate(Karpenter))
		tags := map[string]string{"karpenter.sh/discovery": "demo"}
		if err != nil {
			t.Fatalf("%s karpenter: %v", tt.name, err)
		}
		var launched []string
		for _, p := range pairs {
			nc := p.class
			if (len(pairs) == 1) != (nc.Metadata.Name == "pods") || nc.Spec.Role != "KarpenterNodeRole-demo" || len(nc.Spec.AMISelectorTerms) != 1 ||
				fmt.Sprint(nc.Spec.SubnetSelectorTerms[0].Tags) != fmt.Sprint(tags) || fmt.Sprint(nc.Spec.SecurityGroupSelectorTerms[0].Tags) != fmt.Sprint(tags) {
				t.Errorf("%s karpenter: %+v", tt.name, nc)
			}
			for _, typ := range p.pool.Spec.Template.Spec.Requirements[0].Values {
				launched = append(launched, typ)
				r := rs[slices.IndexFunc(rs, func(r formula.Result) bool { return r.InstanceType == typ })]
				own := map[string]string{"cpu": fmt.Sprintf("%dm", r.KubeReservedCPUMillicores), "memory": fmt.Sprintf("%dMi", r.KubeReservedMemoryMiB)}
				if nc.Spec.Kubelet.MaxPods != r.MaxPods || fmt.Sprint(nc.Spec.Kubelet.KubeReserved) != fmt.Sprint(own) {
					t.Errorf("%s karpenter: %s launched by %s with %+v, want %d pods and %v", tt.name, typ, nc.Metadata.Name, nc.Spec.Kubelet, r.MaxPods, own)
				}
			}
		}
		if !slices.Equal(launched, tt.types) {
			t.Errorf("%s karpenter: NodePools launch %q, want %q", tt.name, launched, tt.types)
		}

		var cc eksctlConfig
		err = decodeYAML(generate(Eksctl), &cc)
		if err != nil || cc.APIVersion != "eksctl.io/v1alpha5" || cc.Kind != "ClusterConfig" || cc.Metadata.Name != "demo" || cc.Metadata.Region != "us-west-2" || len(cc.ManagedNodeGroups) != 1 ||
			cc.ManagedNodeGroups[0].Name != "pods" || !slices.Equal(cc.ManagedNodeGroups[0].InstanceTypes, tt.types) || cc.ManagedNodeGroups[0].MaxPodsPerNode != tt.maxPods {
			t.Errorf("%s eksctl: %+v (%v)", tt.name, cc, err)
		}

		cfg, err = parseNodeadm(generate(AL2023Expression))
		expr, _ := Expression(tt.cfg, ExpressionOptions{})
		if err != nil || cfg.Spec.Kubelet.Config != nil || cfg.Spec.Kubelet.MaxPodsExpression != expr || cfg.Spec.Cluster.Name != "demo" {
			t.Errorf("%s al2023-expression: %+v (%v)", tt.name, cfg, err)
		}
	}
}

// The comments name the type that sets a mixed group's value, and say the
// kube-reserved trap where it applies.
func TestComments(t *testing.T) {
	mixed := results(t, query(), "m5.xlarge", "t3.medium", "m5.large")
	single := results(t, query(prefix), "m5.large")
	same := results(t, query(), "c3.large") // the table's value is eksnet's: no trap
	gen := func(f Format, rs []formula.Result) string {
		doc, err := Generate(Request{Region: "us-west-2", Format: f, Cluster: demo, CNI: query(), Results: rs})
		if err != nil {
			t.Fatal(err)
		}
		return string(doc)
	}
	gen2 := func(f Format, cfg formula.Query, rs []formula.Result) string {
		doc, err := Generate(Request{Region: "us-west-2", Format: f, Cluster: demo, CNI: cfg, Results: rs})
		if err != nil {
			t.Fatal(err)
		}
		return string(doc)
	}
	tests := []struct {
		doc, want string
		present   bool
	}{
		{gen(AL2023, mixed), "maxPods 17 is the smallest across 3 instance types, set by t3.medium: ", true},
		{gen(AL2023, mixed), "t3.medium    17  3 x (6 - 1) + 2 = 17  <- sets maxPods ", true},
		{gen(AL2023, mixed), "kube-reserved cpu 80m is for m5.xlarge (4 vCPUs), the largest among the types", true},
		{gen(AL2023, mixed), "(m5.xlarge: 58 pods, 893Mi), not for 17: the kube-reserved trap.", true},
		{gen2(AL2023, query(prefix), single), "maxPods 110 for m5.large: 3 x (10 - 1) x 16 + 2 = 434, capped at 110. ", true},
		{gen2(AL2023, query(prefix), single), "reserves memory for the table's max pods (m5.large: 29 pods, 574Mi), not for 110: the kube-reserved trap.", true},
		{gen2(AL2, query(prefix), single), "--max-pods alone leaves kube-reserved to bootstrap.sh, which reserves memory", true},
		{gen2(Eksctl, query(prefix), single), "maxPodsPerNode sets max pods only", true},
		{gen(AL2023, same), "kube-reserved trap", false},
		{gen(Eksctl, same), "kube-reserved trap", false},
		{gen(Windows, mixed), "set by t3.medium", true},
		{gen(Bottlerocket, mixed), "set by t3.medium", true},
		{gen(Karpenter, mixed), "set by t3.medium", false},
		{gen(Karpenter, mixed), "3 EC2NodeClass and NodePool pairs: the types grouped by the max pods and kube-reserved they need", true},
		{gen(Karpenter, mixed), "maxPods 17 for t3.medium: 3 x (6 - 1) + 2 = 17.", true},
		{gen2(AL2023, query(prefix), results(t, query(prefix), "m5.large", "m4.xlarge")),
			"m4.xlarge    58  4 x (15 - 1) + 2 = 58 (xen: no prefix delegation, the CNI uses secondary IPs)  <- sets maxPods ", true},
	}
	for i, tt := range tests {
		// Wrapped comment lines read as one; a line break, and a run of
		// blanks, read as a space.
		joined := strings.Join(strings.Fields(strings.ReplaceAll(tt.doc, "\n#", " ")), " ")
		if strings.Contains(joined+" ", strings.Join(strings.Fields(tt.want), " ")) != tt.present {
			t.Errorf("case %d: contains %q = %v, want %v in\n%s", i, tt.want, !tt.present, tt.present, tt.doc)
		}
		for _, line := range strings.Split(tt.doc, "\n") {
			if strings.HasPrefix(line, "#") && len(line) > commentWidth {
				t.Errorf("case %d: comment line of %d bytes: %q", i, len(line), line)
			}
		}
	}
}

func TestGenerateErrors(t *testing.T) {
	ipv6Results := results(t, query(ipv6), "m5.large", "c3.large", "c1.medium")
	tests := []struct {
		req Request
		err string
	}{
		{Request{Region: "us-west-2", Format: "al2024", Cluster: demo}, `invalid format "al2024": want one of al2023, al2023-expression, al2, bottlerocket, windows, karpenter, eksctl`},
		{Request{Region: "us-west-2", Format: AL2023, Cluster: demo, CNI: query()}, "no instance type given: name the types the nodes run (m5.large, 'm5.*')"},
		{Request{Region: "us-west-2", Format: AL2, Cluster: Cluster{Name: "demo"}, CNI: query(ipv6), Results: ipv6Results},
			"c3.large, c1.medium cannot run ipv6 pods (needs Nitro or bare metal): leave them out of the node group"},
		{Request{Region: "us-west-2", Format: Karpenter, Cluster: demo, CNI: query(), Results: results(t, query(), "m5.large"), Name: "Bad_Name"},
			`invalid name "Bad_Name": 1-63 lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit`},
		{Request{Region: "us-west-2", Format: AL2, Cluster: Cluster{Name: "x'; reboot; '"}, CNI: query(), Results: results(t, query(), "m5.large")},
			`invalid cluster name "x'; reboot; '": character '\'' not allowed (1-100 letters, digits, hyphens and underscores, starting with a letter or digit)`},
		{Request{Region: "us-west-2", Format: AL2023, Cluster: demo, CNI: query(ipv6), Results: results(t, query(ipv6), "m5.large")},
			`invalid service CIDR "10.100.0.0/16": an IPv6 cluster has an IPv6 service CIDR`},
		{Request{Region: "us-west-2", Format: AL2023, Cluster: demo, CNI: query(func(c *formula.Query) { c.Version = cni.Version{Major: 1, Minor: 8} }, prefix), Results: results(t, query(), "m5.large")},
			"prefix delegation needs VPC CNI 1.9.0 or later, not 1.8.0"},
	}
	for _, tt := range tests {
		_, err := Generate(tt.req)
		checkErr(t, string(tt.req.Format), err, tt.err)
	}
	// Every type in the table fits EC2's 16 KB, its comment summarised, in
	// every user data format.
	all := embedded(t).All()
	rs := make([]formula.Result, len(all))
	for i, inst := range all {
		rs[i], _ = formula.Compute(inst, query())
	}
	for _, f := range []Format{AL2023, AL2, Bottlerocket} {
		doc, err := Generate(Request{Region: "us-west-2", Format: f, Cluster: demo, CNI: query(), Results: rs})
		if err != nil || len(doc) > MaxUserDataBytes || !strings.Contains(string(doc), "more types, maxPods") {
			t.Errorf("%s for all %d types: %d bytes, %v", f, len(rs), len(doc), err)
		}
	}
	// The size check counts the whole document: a cluster CA of 20 KB does not fit.
	bigCA := demo
	bigCA.CertificateAuthority = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte("certificate "), 1500))
	if _, err := Generate(Request{Region: "us-west-2", Format: AL2023, Cluster: bigCA, CNI: query(), Results: rs[:1]}); err == nil ||
		!strings.Contains(err.Error(), "over EC2's limit of 16384: shorten the cluster values, or use --format al2023-expression") {
		t.Errorf("a 20 KB CA: %v", err)
	}
	if _, err := Generate(Request{Region: "us-west-2", Format: Karpenter, Cluster: demo, CNI: query(), Results: rs}); err != nil {
		t.Errorf("karpenter is no user data, it has no 16 KB limit: %v", err)
	}
}

func TestIPv6(t *testing.T) {
	cluster := demo
	cluster.ServiceCIDR = "fd00:10:100::/108"
	rs := results(t, query(ipv6), "m5.large")
	doc, err := Generate(Request{Region: "us-west-2", Format: AL2, Cluster: cluster, CNI: query(ipv6), Results: rs})
	if err != nil {
		t.Fatal(err)
	}
	args, err := parseAL2(doc)
	if err != nil || !slices.Contains(args, "--ip-family") || !slices.Contains(args, "--service-ipv6-cidr") || slices.Contains(args, "--service-ipv4-cidr") ||
		!slices.Contains(args, "--max-pods=110 --kube-reserved=cpu=70m,ephemeral-storage=1Gi,memory=1465Mi") {
		t.Errorf("al2 ipv6: %q (%v)", args, err)
	}
	doc, err = Generate(Request{Region: "us-west-2", Format: AL2023, Cluster: cluster, CNI: query(ipv6), Results: rs})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := parseNodeadm(doc)
	if err != nil || cfg.Spec.Cluster.CIDR != "fd00:10:100::/108" || cfg.Spec.Kubelet.Config.MaxPods != 110 {
		t.Errorf("al2023 ipv6: %+v (%v)", cfg, err)
	}
}

func TestShellQuote(t *testing.T) {
	tests := map[string]string{
		"":          "''",
		"demo":      "'demo'",
		"it's":      `'it'\''s'`,
		"$(reboot)": "'$(reboot)'",
		"a\nb":      "'a\nb'",
		"'":         `''\'''`,
	}
	for in, want := range tests {
		if got := ShellQuote(in); got != want {
			t.Errorf("ShellQuote(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPowerShellQuote(t *testing.T) {
	tests := map[string]string{
		"":                   "''",
		"demo":               "'demo'",
		"it's":               "'it''s'",
		"$(Stop-It)":         "'$(Stop-It)'",
		"a\u2019b":           "'a\u2019\u2019b'",
		"\u2018\u201a\u201b": "'\u2018\u2018\u201a\u201a\u201b\u201b'",
		"\xff'":              "'\xff'''",
	}
	for in, want := range tests {
		if got := PowerShellQuote(in); got != want {
			t.Errorf("PowerShellQuote(%q) = %q, want %q", in, got, want)
		}
	}
}

// hostile cluster fields, as a user or an attacker might type them.
var hostile = []string{
	"demo", "", "'", "''", `\'`, "\"", "a'; reboot; 'b", "$(reboot)", "`reboot`", "${HOME}", "a\nb", "a\r\nb", "\n--//eksnet-userdata//\n",
	"--//eksnet-userdata//--", "x\n</powershell>\nStop-Computer", "\u2019; Stop-Computer; \u2018", "# comment", "key: value", "- item",
	"[settings.kubernetes]\nmax-pods = 1", "yes", "null", "~", "0x10", "1e3", "&anchor", "*alias", "!!binary", "{a: b}", "%YAML 1.2",
	"---", "...", "\t", " leading", "trailing ", "\x00", "\x7f", "\xff\xfe", "é", "\u2028", "\ufeff", strings.Repeat("'", 50),
}

// FuzzQuoting writes every format with hostile cluster values, skipping
// validation, and reads each document back with the real parser: a value
// either comes back exactly, or the document is refused; it never changes
// the structure.
func FuzzQuoting(f *testing.F) {
	for i, s := range hostile {
		f.Add(s, hostile[(i+1)%len(hostile)], hostile[(i+2)%len(hostile)], hostile[(i+3)%len(hostile)])
	}
	cfg := query(prefix)
	r, err := formula.Compute(lookup(f, "m5.large"), cfg)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, name, endpoint, ca, cidr string) {
		c := Cluster{Name: name, APIServerEndpoint: endpoint, CertificateAuthority: ca, ServiceCIDR: cidr}
		for _, format := range Formats {
			doc, err := render(Request{Region: "us-west-2", Format: format, Cluster: c, CNI: cfg, Results: []formula.Result{r}, Name: "x", Expression: ExpressionOptions{}})
			if err != nil {
				if !refusedForCause(format, c, err) {
					t.Errorf("%s: unexpected error %v for %+v", format, err, c)
				}
				continue
			}
			if err := readsBack(format, doc, c); err != nil {
				t.Errorf("%s: %v\n%+v\n%s", format, err, c, doc)
			}
		}
	})
}

// refusedForCause reports whether err is one of the refusals that keep a
// document whole: a value that holds the MIME boundary or </powershell>, or
// that a script cannot carry.
func refusedForCause(f Format, c Cluster, err error) bool {
	values := []string{c.Name, c.APIServerEndpoint, c.CertificateAuthority, c.ServiceCIDR}
	msg := err.Error()
	switch f {
	case AL2023, AL2023Expression:
		return msg == "user data contains the MIME boundary" && slices.ContainsFunc(values, func(v string) bool { return strings.Contains(v, "--"+mimeBoundary) })
	case AL2, Windows:
		if strings.Contains(msg, "NUL bytes, carriage returns and invalid UTF-8 cannot be written in a script") {
			return slices.ContainsFunc(values, func(v string) bool { return strings.ContainsAny(v, "\x00\r") || !utf8.ValidString(v) })
		}
		return f == Windows && strings.Contains(msg, "</powershell> would end the user data")
	case Bottlerocket:
		return slices.ContainsFunc(values, func(v string) bool { return !utf8.ValidString(v) })
	}
	return false
}

// readsBack parses doc as its consumer would and checks the cluster values.
func readsBack(f Format, doc []byte, c Cluster) error {
	check := func(got, want []string) error {
		if !slices.Equal(got, want) {
			return fmt.Errorf("read back %q, want %q", got, want)
		}
		return nil
	}
	switch f {
	case AL2023, AL2023Expression:
		cfg, err := parseNodeadm(doc)
		if err != nil {
			return err
		}
		k := cfg.Spec.Cluster
		return check([]string{k.Name, k.APIServerEndpoint, k.CertificateAuthority, k.CIDR}, []string{c.Name, c.APIServerEndpoint, c.CertificateAuthority, c.ServiceCIDR})
	case AL2:
		args, err := parseAL2(doc)
		if err != nil {
			return err
		}
		return check(args, append(al2Want(c), "--use-max-pods", "false", "--kubelet-extra-args", "--max-pods=110 --kube-reserved=cpu=70m,ephemeral-storage=1Gi,memory=1465Mi"))
	case Bottlerocket:
		s, err := parseBottlerocket(doc)
		if err != nil {
			return err
		}
		k := s.Settings.Kubernetes
		return check([]string{k.ClusterName, k.APIServer, k.ClusterCertificate}, []string{c.Name, c.APIServerEndpoint, c.CertificateAuthority})
	case Windows:
		args, err := parseWindows(doc)
		if err != nil {
			return err
		}
		return check(args, windowsWant(c))
	case Karpenter:
		pairs, err := parseKarpenter(doc)
		if err != nil {
			return err
		}
		nc := pairs[0].class
		return check([]string{nc.Spec.Role, nc.Spec.SubnetSelectorTerms[0].Tags["karpenter.sh/discovery"]}, []string{"KarpenterNodeRole-" + c.Name, c.Name})
	case Eksctl:
		var cc eksctlConfig
		if err := decodeYAML(doc, &cc); err != nil {
			return err
		}
		return check([]string{cc.Metadata.Name}, []string{c.Name})
	}
	return fmt.Errorf("no reader for %s", f)
}

func al2Want(c Cluster) []string {
	want := []string{c.Name}
	if c.APIServerEndpoint != "" {
		want = append(want, "--apiserver-endpoint", c.APIServerEndpoint)
	}
	if c.CertificateAuthority != "" {
		want = append(want, "--b64-cluster-ca", c.CertificateAuthority)
	}
	if c.ServiceCIDR != "" {
		want = append(want, "--service-ipv4-cidr", c.ServiceCIDR)
	}
	return want
}

func windowsWant(c Cluster) []string {
	want := []string{"-EKSClusterName", c.Name}
	if c.APIServerEndpoint != "" {
		want = append(want, "-APIServerEndpoint", c.APIServerEndpoint)
	}
	if c.CertificateAuthority != "" {
		want = append(want, "-Base64ClusterCA", c.CertificateAuthority)
	}
	if c.ServiceCIDR != "" {
		want = append(want, "-ServiceCIDR", c.ServiceCIDR)
	}
	return append(want, "-KubeletExtraArgs", "--max-pods=110")
}

// BenchmarkGenerateEveryFormat writes every format for a mixed node group of
// three types: the work of one `eksnet userdata` after the table is loaded.
func BenchmarkGenerateEveryFormat(b *testing.B) {
	cfg := query(prefix)
	var results []formula.Result
	for _, name := range []string{"m5.large", "m5.8xlarge", "m4.xlarge"} {
		r, err := formula.Compute(lookup(b, name), cfg)
		if err != nil {
			b.Fatal(err)
		}
		results = append(results, r)
	}
	c := Cluster{Name: "demo", APIServerEndpoint: "https://ABCD1234.gr7.us-west-2.eks.amazonaws.com", CertificateAuthority: "Y2VydA==", ServiceCIDR: "10.100.0.0/16"}
	for b.Loop() {
		for _, format := range Formats {
			if _, err := Generate(Request{Region: "us-west-2", Format: format, Cluster: c, CNI: cfg, Results: results}); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// Bottlerocket in an IPv6 cluster: cluster-dns-ip is the service range's
// tenth address, which Bottlerocket cannot derive from an IPv6 range.
func TestBottlerocketIPv6ClusterDNS(t *testing.T) {
	c := demo
	c.ServiceCIDR = "fd00:10:100::/108"
	rs := results(t, query(ipv6), "m5.large")
	doc, err := Generate(Request{Region: "us-west-2", Format: Bottlerocket, Cluster: c, CNI: query(ipv6), Results: rs})
	if err != nil {
		t.Fatal(err)
	}
	s, err := parseBottlerocket(doc)
	if err != nil || s.Settings.Kubernetes.ClusterDNSIP != "fd00:10:100::a" {
		t.Errorf("cluster-dns-ip %q, %v", s.Settings.Kubernetes.ClusterDNSIP, err)
	}
	c.ServiceCIDR = ""
	if _, err := Generate(Request{Format: Bottlerocket, Cluster: c, CNI: query(ipv6), Results: rs}); err == nil || !strings.Contains(err.Error(), "needs --service-cidr") {
		t.Errorf("no service CIDR: %v", err)
	}
	// IPv4: Bottlerocket derives it; none is written.
	doc, _ = Generate(Request{Format: Bottlerocket, Cluster: demo, CNI: query(), Results: results(t, query(), "m5.large")})
	if strings.Contains(string(doc), "cluster-dns-ip") {
		t.Error("IPv4 document sets cluster-dns-ip")
	}
}

// Every Karpenter document passes the CRDs of Karpenter v1.15.2
// (testdata/crds): schema with unknown fields refused, and the CEL rules.
// spec.kubelet is free-form there; Karpenter itself decodes it strictly
// into the upstream KubeletConfiguration and allows kube-reserved keys cpu,
// memory, ephemeral-storage and pid (pkg/apis/v1/kubeletconfiguration_validation.go),
// which the second half checks.
func TestKarpenterDocumentsPassTheCRDs(t *testing.T) {
	nodeClass, err := crdtest.Load("../../testdata/crds/karpenter.k8s.aws_ec2nodeclasses.yaml", "v1")
	if err != nil {
		t.Fatal(err)
	}
	nodePool, err := crdtest.Load("../../testdata/crds/karpenter.sh_nodepools.yaml", "v1")
	if err != nil {
		t.Fatal(err)
	}
	c6i, err := embedded(t).Match("c6i.*")
	if err != nil {
		t.Fatal(err)
	}
	var c6iNames []string
	for _, inst := range c6i {
		c6iNames = append(c6iNames, inst.Name)
	}
	cases := []struct {
		cfg   formula.Query
		types []string
	}{
		{query(), c6iNames},
		{query(prefix), c6iNames},
		{query(), []string{"m5.large"}},
		{query(prefix), []string{"m5.large", "m5.xlarge", "c5.18xlarge", "t3.medium"}},
		{query(custom), []string{"c3.large", "m5.8xlarge"}},
		{query(uncapped), []string{"c5.18xlarge"}},
	}
	for _, c := range cases {
		doc, err := Generate(Request{Region: "us-west-2", Format: Karpenter, Cluster: demo, CNI: c.cfg, Results: results(t, c.cfg, c.types...), Name: "pods"})
		if err != nil {
			t.Fatal(err)
		}
		classes, err := nodeClass.ValidateYAML(doc)
		if err != nil {
			t.Errorf("%v: EC2NodeClass: %v", c.types, err)
		}
		pools, err := nodePool.ValidateYAML(doc)
		if err != nil {
			t.Errorf("%v: NodePool: %v", c.types, err)
		}
		pairs, err := parseKarpenter(doc)
		distinct := map[[2]int]bool{}
		for _, r := range results(t, c.cfg, c.types...) {
			distinct[[2]int{r.MaxPods, r.KubeReservedCPUMillicores}] = true
		}
		if err != nil || classes != len(pairs) || pools != len(pairs) || len(pairs) != len(distinct) {
			t.Errorf("%v: %d classes and %d pools validated, %d pairs for %d value sets (%v)", c.types, classes, pools, len(pairs), len(distinct), err)
		}
		for _, p := range pairs {
			for key := range p.class.Spec.Kubelet.KubeReserved {
				if !slices.Contains([]string{"cpu", "memory", "ephemeral-storage", "pid"}, key) {
					t.Errorf("kubeReserved key %q, which Karpenter refuses", key)
				}
			}
		}
	}
	if nodeClass.Evaluated == 0 || nodePool.Evaluated == 0 {
		t.Errorf("no CEL rule evaluated: %d/%d, %d/%d skipped", nodeClass.Evaluated, nodeClass.Skipped, nodePool.Evaluated, nodePool.Skipped)
	}
}

// Every eksctl document passes eksctl's published ClusterConfig schema
// (v0.215.0, testdata/schemas), which requires metadata.region and refuses
// unknown fields.
func TestEksctlDocumentsPassTheSchema(t *testing.T) {
	data, err := os.ReadFile("../../testdata/schemas/eksctl.io_v1alpha5_clusterconfig.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("eksctl.json", raw); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile("eksctl.json")
	if err != nil {
		t.Fatal(err)
	}
	validate := func(doc []byte) error {
		var v any
		if err := yaml.Unmarshal(doc, &v); err != nil {
			return err
		}
		js, err := json.Marshal(v)
		if err != nil {
			return err
		}
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
		if err != nil {
			return err
		}
		return schema.Validate(inst)
	}
	for _, c := range []struct {
		cfg   formula.Query
		types []string
	}{{query(), []string{"m5.large"}}, {query(prefix), []string{"m5.large", "c5.xlarge"}}, {query(custom), []string{"c3.large"}}} {
		doc, err := Generate(Request{Region: "eu-west-1", Format: Eksctl, Cluster: demo, CNI: c.cfg, Results: results(t, c.cfg, c.types...), Name: "pods"})
		if err != nil {
			t.Fatal(err)
		}
		if err := validate(doc); err != nil {
			t.Errorf("%v: %v\n%s", c.types, err, doc)
		}
	}
	// The schema can fail: the document without its region, as eksnet
	// wrote it before, is refused.
	doc, _ := Generate(Request{Region: "eu-west-1", Format: Eksctl, Cluster: demo, CNI: query(), Results: results(t, query(), "m5.large"), Name: "pods"})
	if err := validate(bytes.Replace(doc, []byte("region: eu-west-1"), nil, 1)); err == nil || !strings.Contains(err.Error(), "region") {
		t.Errorf("no region: %v", err)
	}
}
