package userdata

import (
	"encoding/base64"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/eksnet/eksnet/internal/cni"
	"github.com/eksnet/eksnet/internal/formula"
)

func TestValidateClusterName(t *testing.T) {
	tests := []struct {
		name, err string
	}{
		{"demo", ""},
		{"a", ""},
		{"0-prod_eu-west-1", ""},
		{strings.Repeat("a", 100), ""},
		{"", `invalid cluster name "": empty (1-100 letters, digits, hyphens and underscores, starting with a letter or digit)`},
		{strings.Repeat("a", 101), `invalid cluster name "` + strings.Repeat("a", 101) + `": 101 characters (1-100 letters, digits, hyphens and underscores, starting with a letter or digit)`},
		{"-demo", `invalid cluster name "-demo": must start with a letter or digit (1-100 letters, digits, hyphens and underscores, starting with a letter or digit)`},
		{"_demo", `invalid cluster name "_demo": must start with a letter or digit (1-100 letters, digits, hyphens and underscores, starting with a letter or digit)`},
		{"de'mo", `invalid cluster name "de'mo": character '\'' not allowed (1-100 letters, digits, hyphens and underscores, starting with a letter or digit)`},
		{"demo\nx", `invalid cluster name "demo\nx": character '\n' not allowed (1-100 letters, digits, hyphens and underscores, starting with a letter or digit)`},
		{"a$(id)", `invalid cluster name "a$(id)": character '$' not allowed (1-100 letters, digits, hyphens and underscores, starting with a letter or digit)`},
		{"démo", `invalid cluster name "démo": character 'é' not allowed (1-100 letters, digits, hyphens and underscores, starting with a letter or digit)`},
		{"de mo", `invalid cluster name "de mo": character ' ' not allowed (1-100 letters, digits, hyphens and underscores, starting with a letter or digit)`},
	}
	for _, tt := range tests {
		checkErr(t, "ValidateClusterName("+tt.name+")", ValidateClusterName(tt.name), tt.err)
	}
}

func TestValidateEndpoint(t *testing.T) {
	const want = " (want an https URL such as https://ABCD1234.gr7.us-west-2.eks.amazonaws.com)"
	tests := []struct {
		endpoint, err string
	}{
		{"https://ABCD1234.gr7.us-west-2.eks.amazonaws.com", ""},
		{"https://ABCD1234.gr7.us-west-2.eks.amazonaws.com/", ""},
		{"https://10.0.0.1:6443", ""},
		{"https://[fd00::1]:443", ""},
		{"http://example.com", `invalid API server endpoint "http://example.com": the scheme must be https` + want},
		{"example.com", `invalid API server endpoint "example.com": the scheme must be https` + want},
		{"https://", `invalid API server endpoint "https://": no host` + want},
		{"https://user:pw@example.com", `invalid API server endpoint "https://user:pw@example.com": user information is not allowed` + want},
		{"https://example.com/x", `invalid API server endpoint "https://example.com/x": path, query and fragment are not allowed` + want},
		{"https://example.com?a=b", `invalid API server endpoint "https://example.com?a=b": path, query and fragment are not allowed` + want},
		{"https://example.com#f", `invalid API server endpoint "https://example.com#f": path, query and fragment are not allowed` + want},
		{"https://exa'mple.com", `invalid API server endpoint "https://exa'mple.com": host "exa'mple.com" is not a DNS name or IP address` + want},
		{"https://-bad.com", `invalid API server endpoint "https://-bad.com": host "-bad.com" is not a DNS name or IP address` + want},
		{"https://example.com:0", `invalid API server endpoint "https://example.com:0": port "0" is not 1-65535` + want},
		{"https://example.com:70000", `invalid API server endpoint "https://example.com:70000": port "70000" is not 1-65535` + want},
		{"https://example.com:", `invalid API server endpoint "https://example.com:": port "" is not 1-65535` + want},
		{"https://example.com\n", `invalid API server endpoint "https://example.com\n": contains spaces, control or non-ASCII characters` + want},
		{"https://ex ample.com", `invalid API server endpoint "https://ex ample.com": contains spaces, control or non-ASCII characters` + want},
		{"https://exämple.com", `invalid API server endpoint "https://exämple.com": contains spaces, control or non-ASCII characters` + want},
		{"https://$(id).com", `invalid API server endpoint "https://$(id).com": host "$(id).com" is not a DNS name or IP address` + want},
		{"https://%zz", `invalid API server endpoint "https://%zz": not a URL` + want},
	}
	for _, tt := range tests {
		checkErr(t, "ValidateEndpoint("+tt.endpoint+")", ValidateEndpoint(tt.endpoint), tt.err)
	}
}

func TestValidateCertificateAuthority(t *testing.T) {
	tests := []struct {
		ca, err string
	}{
		{"Y2VydA==", ""},
		{"LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==", ""},
		{"", "invalid certificate authority: empty (want the cluster CA in base64)"},
		{"Y2VydA", `invalid certificate authority "Y2VydA": not standard base64 on one line (want certificateAuthority.data from aws eks describe-cluster)`},
		{"Y2Vy\ndA==", `invalid certificate authority "Y2Vy\ndA==": not standard base64 on one line (want certificateAuthority.data from aws eks describe-cluster)`},
		{"not base64!", `invalid certificate authority "not base64!": not standard base64 on one line (want certificateAuthority.data from aws eks describe-cluster)`},
		{strings.Repeat("A", 41) + "'", `invalid certificate authority "` + strings.Repeat("A", 40) + `...": not standard base64 on one line (want certificateAuthority.data from aws eks describe-cluster)`},
	}
	for _, tt := range tests {
		checkErr(t, "ValidateCertificateAuthority("+tt.ca+")", ValidateCertificateAuthority(tt.ca), tt.err)
	}
}

func TestParseServiceCIDR(t *testing.T) {
	tests := []struct {
		cidr, want, err string
	}{
		{"10.100.0.0/16", "10.100.0.0/16", ""},
		{"172.20.0.0/16", "172.20.0.0/16", ""},
		{"fd00:1234::/108", "fd00:1234::/108", ""},
		{"10.100.0.1/16", "", `invalid service CIDR "10.100.0.1/16": host bits are set (did you mean 10.100.0.0/16?)`},
		{"fd00::1/108", "", `invalid service CIDR "fd00::1/108": host bits are set (did you mean fd00::/108?)`},
		{"10.100.0.0", "", `invalid service CIDR "10.100.0.0": want a prefix such as 10.100.0.0/16 or fd00::/108`},
		{"10.100.0.0/33", "", `invalid service CIDR "10.100.0.0/33": want a prefix such as 10.100.0.0/16 or fd00::/108`},
		{"", "", `invalid service CIDR "": want a prefix such as 10.100.0.0/16 or fd00::/108`},
		{" 10.100.0.0/16", "", `invalid service CIDR " 10.100.0.0/16": want a prefix such as 10.100.0.0/16 or fd00::/108`},
		{"10.100.0.1/16\n", "", `invalid service CIDR "10.100.0.1/16\n": host bits are set (did you mean 10.100.0.0/16?)`},
	}
	for _, tt := range tests {
		p, err := ParseServiceCIDR(tt.cidr)
		checkErr(t, "ParseServiceCIDR("+tt.cidr+")", err, tt.err)
		if err == nil && p.String() != tt.want {
			t.Errorf("ParseServiceCIDR(%q) = %s, want %s", tt.cidr, p, tt.want)
		}
	}
}

func TestClusterValidate(t *testing.T) {
	full := Cluster{Name: "demo", APIServerEndpoint: "https://example.com", CertificateAuthority: "Y2VydA==", ServiceCIDR: "10.100.0.0/16"}
	nameOnly := Cluster{Name: "demo"}
	tests := []struct {
		format  Format
		cluster Cluster
		family  cni.IPFamily
		err     string
	}{
		{AL2023, full, cni.IPv4, ""},
		{AL2023Expression, full, cni.IPv4, ""},
		{AL2, nameOnly, cni.IPv4, ""},
		{Windows, nameOnly, cni.IPv4, ""},
		{Karpenter, nameOnly, cni.IPv4, ""},
		{Eksctl, nameOnly, cni.IPv4, ""},
		{Bottlerocket, Cluster{Name: "demo", APIServerEndpoint: "https://example.com", CertificateAuthority: "Y2VydA=="}, cni.IPv4, ""},
		{AL2023, Cluster{}, cni.IPv4, "no cluster name: --cluster-name is required"},
		{AL2, Cluster{}, cni.IPv4, "no cluster name: --cluster-name is required"},
		{AL2023, nameOnly, cni.IPv4, "format al2023 needs the API server endpoint (--api-server-endpoint)"},
		{AL2023, Cluster{Name: "demo", APIServerEndpoint: "https://example.com"}, cni.IPv4, "format al2023 needs the cluster CA (--certificate-authority, base64)"},
		{AL2023Expression, Cluster{Name: "demo", APIServerEndpoint: "https://example.com", CertificateAuthority: "Y2VydA=="}, cni.IPv4, "format al2023-expression needs the service CIDR (--service-cidr)"},
		{Bottlerocket, nameOnly, cni.IPv4, "format bottlerocket needs the API server endpoint (--api-server-endpoint)"},
		{AL2023, full, cni.IPv6, `invalid service CIDR "10.100.0.0/16": an IPv6 cluster has an IPv6 service CIDR`},
		{AL2, Cluster{Name: "demo", ServiceCIDR: "fd00::/108"}, cni.IPv4, `invalid service CIDR "fd00::/108": an IPv4 cluster has an IPv4 service CIDR (or pass --ip-family ipv6)`},
		{AL2, Cluster{Name: "demo", ServiceCIDR: "fd00::/108"}, cni.IPv6, ""},
		{AL2, Cluster{Name: "demo", APIServerEndpoint: "ftp://x"}, cni.IPv4, `invalid API server endpoint "ftp://x": the scheme must be https (want an https URL such as https://ABCD1234.gr7.us-west-2.eks.amazonaws.com)`},
		{AL2, Cluster{Name: "demo", CertificateAuthority: "%%"}, cni.IPv4, `invalid certificate authority "%%": not standard base64 on one line (want certificateAuthority.data from aws eks describe-cluster)`},
	}
	for _, tt := range tests {
		checkErr(t, string(tt.format)+" "+tt.cluster.Name, tt.cluster.Validate(tt.format, tt.family), tt.err)
	}
}

func TestValidateObjectName(t *testing.T) {
	for _, ok := range []string{"default", "ng-1", "a", strings.Repeat("a", 63)} {
		checkErr(t, ok, ValidateObjectName(ok), "")
	}
	for _, bad := range []string{"", "Default", "1ng", "ng-", "ng_1", "n'g", strings.Repeat("a", 64)} {
		checkErr(t, bad, ValidateObjectName(bad), `invalid name "`+bad+`": 1-63 lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit`)
	}
}

func checkErr(t *testing.T, what string, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Errorf("%s: unexpected error %v", what, err)
	case want != "" && err == nil:
		t.Errorf("%s: no error, want %q", what, want)
	case want != "" && err.Error() != want:
		t.Errorf("%s: error\n got %q\nwant %q", what, err, want)
	}
}

var (
	clusterNameRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$`)
	objectNameRe  = regexp.MustCompile(`^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$`)
)

// FuzzValidateCluster fuzzes the parsers of the cluster flags (--cluster-name,
// --api-server-endpoint, --certificate-authority, --service-cidr, --name):
// a refusal is one line that starts "invalid" or "no"; what is accepted
// has the documented shape, and every format written from accepted values
// reads back exactly with the real parsers, refused for no cause.
func FuzzValidateCluster(f *testing.F) {
	f.Add("demo", "https://ABCD1234.gr7.us-west-2.eks.amazonaws.com", "Y2VydA==", "10.100.0.0/16", "default")
	f.Add("0-prod_eu", "https://10.0.0.1:6443/", "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==", "fd00:10:100::/108", "ng-1")
	f.Add("$(reboot)", "https://[fe80::1%25eth0]:443", "Y2Vy\ndA==", "10.100.0.1/16", "Default")
	f.Add("a'b", "https://user@x.com", "", " 10.100.0.0/16", "-x")
	for i, s := range hostile {
		f.Add(s, hostile[(i+1)%len(hostile)], hostile[(i+2)%len(hostile)], hostile[(i+3)%len(hostile)], hostile[(i+4)%len(hostile)])
	}
	cfg := query(prefix)
	m5 := lookup(f, "m5.large")
	r, err := formula.Compute(m5, cfg)
	if err != nil {
		f.Fatal(err)
	}
	oneLine := func(t *testing.T, what string, err error) {
		t.Helper()
		if msg := err.Error(); strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "invalid ") {
			t.Fatalf("%s: error %q is not one line starting with invalid", what, msg)
		}
	}
	f.Fuzz(func(t *testing.T, name, endpoint, ca, cidr, object string) {
		ok := true
		if err := ValidateClusterName(name); err != nil {
			oneLine(t, "name", err)
			ok = false
		} else if !clusterNameRe.MatchString(name) {
			t.Fatalf("cluster name %q accepted", name)
		}
		if err := ValidateEndpoint(endpoint); err != nil {
			oneLine(t, "endpoint", err)
			ok = false
		} else if u, err := url.Parse(endpoint); err != nil || u.Scheme != "https" || u.Hostname() == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || strings.Trim(u.Path, "/") != "" {
			t.Fatalf("endpoint %q accepted: %+v %v", endpoint, u, err)
		}
		if err := ValidateCertificateAuthority(ca); err != nil {
			oneLine(t, "CA", err)
			ok = false
		} else if _, err := base64.StdEncoding.DecodeString(ca); err != nil || strings.ContainsAny(ca, "\r\n") {
			t.Fatalf("CA %q accepted: %v", ca, err)
		}
		family := cni.IPv4
		if p, err := ParseServiceCIDR(cidr); err != nil {
			oneLine(t, "service CIDR", err)
			ok = false
		} else if again, err := ParseServiceCIDR(p.String()); err != nil || again != p || p.Masked() != p {
			t.Fatalf("service CIDR %q accepted as %s, which reads back as %s, %v", cidr, p, again, err)
		} else if p.Addr().Is6() {
			family = cni.IPv6
		}
		if err := ValidateObjectName(object); err != nil {
			oneLine(t, "name", err)
			ok = false
		} else if !objectNameRe.MatchString(object) {
			t.Fatalf("object name %q accepted", object)
		}
		if !ok {
			return
		}
		c := Cluster{Name: name, APIServerEndpoint: endpoint, CertificateAuthority: ca, ServiceCIDR: cidr}
		mode := cfg
		mode.IPFamily = family
		result := r
		if family == cni.IPv6 {
			if result, err = formula.Compute(m5, mode); err != nil {
				t.Fatal(err)
			}
		}
		for _, format := range Formats {
			doc, err := Generate(Request{Region: "us-west-2", Format: format, Cluster: c, CNI: mode, Results: []formula.Result{result}, Name: object})
			if err != nil {
				t.Fatalf("%s: accepted values refused: %v\n%+v", format, err, c)
			}
			if family == cni.IPv6 && format == AL2 {
				continue // bootstrap.sh takes --ip-family ipv6 --service-ipv6-cidr: TestIPv6
			}
			if err := readsBack(format, doc, c); err != nil {
				t.Fatalf("%s: %v\n%+v\n%s", format, err, c, doc)
			}
		}
	})
}
