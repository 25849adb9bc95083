package vpcmap

import (
	"bytes"
	"encoding/xml"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/eksnet/eksnet/internal/plan"
)

func sample() *plan.Result {
	return &plan.Result{
		Region: "us-west-2", VPCCIDRs: []string{"10.0.0.0/16"}, SecondaryCIDRs: []string{"100.64.0.0/16"}, AZs: []string{"us-west-2a", "us-west-2b"},
		Subnets: []plan.Subnet{
			{AZ: "us-west-2a", Role: plan.RoleCluster, CIDR: "10.0.0.0/28", UsableAddresses: 11, AddressesNeeded: 6, AddressesNeededFuture: 6},
			{AZ: "us-west-2a", Role: plan.RoleNode, CIDR: "10.0.1.0/24", UsableAddresses: 251, AddressesNeeded: 10, AddressesNeededFuture: 20},
			{AZ: "us-west-2b", Role: plan.RoleNode, CIDR: "10.0.2.0/24", UsableAddresses: 251, Existing: true, ID: "subnet-0123456789abcdef0"},
			{AZ: "us-west-2a", Role: plan.RolePod, CIDR: "100.64.0.0/19", UsableAddresses: 8187, AddressesNeeded: 1000, AddressesNeededFuture: 2000},
		},
		OtherSubnets: []plan.OtherSubnet{{CIDR: "10.0.128.0/18", AZ: "us-west-2b", ID: "subnet-0fedcba9876543210"}},
		Reservations: []plan.Reservation{{AZ: "us-west-2a", SubnetCIDR: "100.64.0.0/19", CIDR: "100.64.8.0/22", Type: "prefix"}},
	}
}

// elements parses an SVG with encoding/xml and returns the text of every
// <text> element and the count of <rect>s.
func elements(t *testing.T, data []byte) (texts []string, rects int) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	inText := false
	var cur strings.Builder
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return texts, rects
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			switch tok.Name.Local {
			case "rect":
				rects++
			case "text":
				inText = true
				cur.Reset()
			}
		case xml.CharData:
			if inText {
				cur.Write(tok)
			}
		case xml.EndElement:
			if tok.Name.Local == "text" {
				inText = false
				texts = append(texts, cur.String())
			}
		}
	}
}

// The map parses as XML, names every subnet's CIDR in text, draws one rect
// per block, subnet and reservation (plus the legend's eight and the hatch pattern's one), and marks the
// existing subnet.
func TestSVG(t *testing.T) {
	var b bytes.Buffer
	r := sample()
	if err := WriteSVG(&b, r); err != nil {
		t.Fatal(err)
	}
	texts, rects := elements(t, b.Bytes())
	for _, s := range r.Subnets {
		if !slices.Contains(texts, s.CIDR) {
			t.Errorf("no text %q", s.CIDR)
		}
	}
	// The enlarged bars: 10.0.0.0/22 of the VPC's /16 (its bar and the three
	// subnets in it) and 100.64.0.0/19 of the /16 (its bar, the subnet and
	// the reservation).
	zooms := 4 + 3
	if want := 2 + len(r.Subnets) + len(r.OtherSubnets) + len(r.Reservations) + 8 + 1 + zooms; rects != want {
		t.Errorf("%d rects, want %d", rects, want)
	}
	for _, want := range []string{"existing subnet-0123456789abcdef0", "10.0.128.0/18 existing subnet-0fedcba9876543210 in us-west-2b: not the cluster's, carved around", "100.64.8.0/22 reserved for prefixes in 100.64.0.0/19", "100.64.0.0/16: 65536 addresses", "8%", "10.0.0.0/22 of 10.0.0.0/16 enlarged"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("no %q in\n%s", want, b.String())
		}
	}
	bad := sample()
	bad.Subnets[0].CIDR = "192.168.0.0/28"
	if err := WriteSVG(io.Discard, bad); err == nil || err.Error() != "VPC map: 192.168.0.0/28 is in none of the VPC's blocks" {
		t.Errorf("subnet outside the blocks: %v", err)
	}
}

// The HTML page is self-contained: the SVG inline, no script, no link.
func TestHTML(t *testing.T) {
	var b bytes.Buffer
	if err := WriteHTML(&b, sample()); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	if !strings.HasPrefix(page, "<!DOCTYPE html>") || !strings.Contains(page, "<svg ") || strings.Contains(page, "<script") || strings.Contains(page, "href=") || strings.Contains(page, "src=") {
		t.Errorf("page:\n%s", page)
	}
}

// Hostile text (a subnet ID or AZ from a file) cannot break out of the SVG.
func TestSVGEscapes(t *testing.T) {
	r := sample()
	r.Subnets[2].ID = `subnet-"><script>alert(1)</script>`
	var b bytes.Buffer
	if err := WriteSVG(&b, r); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "<script>") {
		t.Error("unescaped markup")
	}
	elements(t, b.Bytes())
}
