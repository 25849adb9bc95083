package userdata

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"

	"github.com/eksnet/eksnet/internal/cni"
	"github.com/eksnet/eksnet/internal/subnet"
)

// Cluster is what a node needs to join an EKS cluster. Empty fields are not
// given; which ones a format requires is checked by Validate.
type Cluster struct {
	Name                 string // the EKS cluster name
	APIServerEndpoint    string // https URL of the Kubernetes API server
	CertificateAuthority string // the cluster CA, base64 as EKS returns it
	ServiceCIDR          string // the Kubernetes service range, canonical prefix
}

// maxClusterName is EKS's limit on a cluster name's length.
const maxClusterName = 100

// ValidateClusterName checks an EKS cluster name as EKS's CreateCluster
// does (userdata issue): 1-100 letters, digits, hyphens and underscores,
// starting with a letter or digit.
func ValidateClusterName(name string) error {
	bad := func(why string) error {
		return fmt.Errorf("invalid cluster name %q: %s (1-100 letters, digits, hyphens and underscores, starting with a letter or digit)", name, why)
	}
	switch {
	case name == "":
		return bad("empty")
	case len(name) > maxClusterName:
		return bad(fmt.Sprintf("%d characters", len(name)))
	case !isAlnum(rune(name[0])):
		return bad("must start with a letter or digit")
	}
	for _, r := range name {
		if !isAlnum(r) && r != '-' && r != '_' {
			return bad(fmt.Sprintf("character %q not allowed", r))
		}
	}
	return nil
}

func isAlnum(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

// ValidateEndpoint checks the API server endpoint (userdata issue: https
// URLs): a host name or address and an optional port, nothing else.
func ValidateEndpoint(endpoint string) error {
	bad := func(why string) error {
		return fmt.Errorf("invalid API server endpoint %q: %s (want an https URL such as https://ABCD1234.gr7.us-west-2.eks.amazonaws.com)", endpoint, why)
	}
	if strings.ContainsFunc(endpoint, func(r rune) bool { return r <= ' ' || r == 0x7f || r > 0x7e }) {
		return bad("contains spaces, control or non-ASCII characters")
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return bad("not a URL")
	}
	switch {
	case u.Scheme != "https":
		return bad("the scheme must be https")
	case u.Opaque != "" || u.Host == "":
		return bad("no host")
	case u.User != nil:
		return bad("user information is not allowed")
	case u.Path != "" && u.Path != "/", u.RawQuery != "", u.ForceQuery, u.Fragment != "":
		return bad("path, query and fragment are not allowed")
	}
	host := u.Hostname()
	if _, err := netip.ParseAddr(host); err != nil && !isDNSName(host) {
		return bad(fmt.Sprintf("host %q is not a DNS name or IP address", host))
	}
	if port := u.Port(); port != "" || strings.HasSuffix(u.Host, ":") {
		if !validPort(port) {
			return bad(fmt.Sprintf("port %q is not 1-65535", port))
		}
	}
	return nil
}

// isDNSName reports whether s is dot-separated labels of letters, digits and
// hyphens, 1-63 characters each, not starting or ending with a hyphen.
func isDNSName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(strings.TrimSuffix(s, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !isAlnum(r) && r != '-' {
				return false
			}
		}
	}
	return true
}

func validPort(p string) bool {
	if p == "" || len(p) > 5 || strings.Trim(p, "0123456789") != "" || p[0] == '0' {
		return false
	}
	n := 0
	for _, r := range p {
		n = n*10 + int(r-'0')
	}
	return n >= 1 && n <= 65535
}

// ValidateCertificateAuthority checks the cluster CA: standard base64 with
// padding, on one line, as `aws eks describe-cluster` prints it.
func ValidateCertificateAuthority(ca string) error {
	if ca == "" {
		return fmt.Errorf("invalid certificate authority: empty (want the cluster CA in base64)")
	}
	// The decoder skips newlines; a value that holds one is refused all the same.
	_, err := base64.StdEncoding.Strict().DecodeString(ca)
	if err != nil || strings.ContainsAny(ca, "\r\n") {
		shown := ca
		if len(shown) > 40 {
			shown = shown[:40] + "..."
		}
		return fmt.Errorf("invalid certificate authority %q: not standard base64 on one line (want certificateAuthority.data from aws eks describe-cluster)", shown)
	}
	return nil
}

// ParseServiceCIDR parses the Kubernetes service range as subnet.ParseCIDR
// parses every block: host bits must be zero, and 10.100.0.1/16 is
// rejected naming 10.100.0.0/16. It is written into the documents as
// typed, so blanks around it are refused too.
func ParseServiceCIDR(s string) (netip.Prefix, error) {
	p, err := subnet.ParseCIDR(s)
	var hostBits *subnet.HostBitsError
	switch {
	case errors.As(err, &hostBits):
		return netip.Prefix{}, fmt.Errorf("invalid service CIDR %q: host bits are set (did you mean %s?)", s, hostBits.Masked)
	case err != nil || strings.TrimSpace(s) != s:
		return netip.Prefix{}, fmt.Errorf("invalid service CIDR %q: want a prefix such as 10.100.0.0/16 or fd00::/108", s)
	}
	return p, nil
}

// required names the cluster fields a format cannot do without: nodeadm
// needs all four; Bottlerocket the name, endpoint and CA; bootstrap.sh and
// Start-EKSBootstrap.ps1 look the rest up from the EKS API; Karpenter and
// eksctl discover the cluster by name.
func required(f Format) (endpoint, ca, cidr bool) {
	switch f {
	case AL2023, AL2023Expression:
		return true, true, true
	case Bottlerocket:
		return true, true, false
	}
	return false, false, false
}

// Validate checks every field that is set, and that the fields format f
// requires are set. The service CIDR must be of the cluster's IP family.
func (c Cluster) Validate(f Format, family cni.IPFamily) error {
	needEndpoint, needCA, needCIDR := required(f)
	if err := ValidateClusterName(c.Name); err != nil {
		if c.Name == "" {
			return fmt.Errorf("no cluster name: --cluster-name is required")
		}
		return err
	}
	if c.APIServerEndpoint != "" {
		if err := ValidateEndpoint(c.APIServerEndpoint); err != nil {
			return err
		}
	} else if needEndpoint {
		return fmt.Errorf("format %s needs the API server endpoint (--api-server-endpoint)", f)
	}
	if c.CertificateAuthority != "" {
		if err := ValidateCertificateAuthority(c.CertificateAuthority); err != nil {
			return err
		}
	} else if needCA {
		return fmt.Errorf("format %s needs the cluster CA (--certificate-authority, base64)", f)
	}
	if c.ServiceCIDR != "" {
		p, err := ParseServiceCIDR(c.ServiceCIDR)
		if err != nil {
			return err
		}
		if family == cni.IPv6 && !p.Addr().Is6() {
			return fmt.Errorf("invalid service CIDR %q: an IPv6 cluster has an IPv6 service CIDR", c.ServiceCIDR)
		}
		if family != cni.IPv6 && !p.Addr().Is4() {
			return fmt.Errorf("invalid service CIDR %q: an IPv4 cluster has an IPv4 service CIDR (or pass --ip-family ipv6)", c.ServiceCIDR)
		}
	} else if needCIDR {
		return fmt.Errorf("format %s needs the service CIDR (--service-cidr)", f)
	}
	return nil
}

// ValidateObjectName checks the name given to a Karpenter EC2NodeClass or an
// eksctl node group as a Kubernetes DNS-1035 label, valid for both: 1-63
// lowercase letters, digits and hyphens, starting with a letter and ending
// with a letter or digit.
func ValidateObjectName(name string) error {
	ok := name != "" && len(name) <= 63 && name[0] >= 'a' && name[0] <= 'z' && name[len(name)-1] != '-'
	for _, r := range name {
		ok = ok && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-')
	}
	if !ok {
		return fmt.Errorf("invalid name %q: 1-63 lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit", name)
	}
	return nil
}
