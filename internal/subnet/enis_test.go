package subnet

import (
	"fmt"
	"strings"
	"testing"

	"github.com/eksnet/eksnet/internal/fuzzbound"
)

func BenchmarkParse100kENIs(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"NetworkInterfaces":[`)
	for i := range 100_000 {
		if i > 0 {
			sb.WriteString(",")
		}
		fmt.Fprintf(&sb, `{"NetworkInterfaceId":"eni-%017x","SubnetId":"subnet-0123456789abcdef0","VpcId":"vpc-0123456789abcdef0","AvailabilityZone":"us-west-2a","Description":"aws-K8S-i-0123456789abcdef0","InterfaceType":"interface","Status":"in-use","Attachment":{"AttachmentId":"eni-attach-0123456789abcdef0","InstanceId":"i-%017x","DeviceIndex":1,"Status":"attached"},"PrivateIpAddress":"10.0.%d.%d","PrivateIpAddresses":[{"PrivateIpAddress":"10.0.%d.%d","Primary":true}],"Ipv4Prefixes":[{"Ipv4Prefix":"10.1.%d.%d/28"}]}`, i, i/10, i/256%256, i%256, i/256%256, i%256, i/16%256, i%16*16)
	}
	sb.WriteString("]}")
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ParseDescribeNetworkInterfaces(data); err != nil {
			b.Fatal(err)
		}
	}
}

const twoENIs = `{"NetworkInterfaces":[
 {"NetworkInterfaceId":"eni-0123456789abcdef0","SubnetId":"subnet-0123456789abcdef0","Attachment":{"InstanceId":"i-0123456789abcdef0","DeviceIndex":0},
  "PrivateIpAddresses":[{"PrivateIpAddress":"10.0.0.5","Primary":true},{"PrivateIpAddress":"10.0.0.6","Primary":false}],
  "Ipv4Prefixes":[{"Ipv4Prefix":"10.0.0.32/28"}]},
 {"NetworkInterfaceId":"eni-0123456789abcdef1","SubnetId":"subnet-0123456789abcdef0","InterfaceType":"lambda",
  "PrivateIpAddresses":[{"PrivateIpAddress":"10.0.0.200","Primary":true}]}]}`

func TestParseDescribeNetworkInterfaces(t *testing.T) {
	enis, err := ParseDescribeNetworkInterfaces([]byte(twoENIs))
	if err != nil || len(enis) != 2 {
		t.Fatalf("%+v %v", enis, err)
	}
	e := enis[0]
	if e.InstanceID != "i-0123456789abcdef0" || e.DeviceIdx != 0 || e.Primary.String() != "10.0.0.5" || len(e.Secondary) != 1 ||
		e.Secondary[0].String() != "10.0.0.6" || len(e.Prefixes) != 1 || e.Prefixes[0].String() != "10.0.0.32/28" {
		t.Errorf("%+v", e)
	}
	if enis[1].InstanceID != "" || enis[1].Primary.String() != "10.0.0.200" {
		t.Errorf("%+v", enis[1])
	}
	tests := []struct{ doc, want string }{
		{`{}`, "describe-network-interfaces JSON: no NetworkInterfaces: give the output of `aws ec2 describe-network-interfaces --output json`"},
		{strings.Replace(twoENIs, `10.0.0.32/28`, `10.0.0.33/28`, 1), `describe-network-interfaces JSON: eni-0123456789abcdef0: Ipv4Prefix "10.0.0.33/28" is not an aligned IPv4 /28`},
		{strings.Replace(twoENIs, `"10.0.0.200","Primary":true`, `"10.0.0.200","Primary":false`, 1), `describe-network-interfaces JSON: eni-0123456789abcdef1 has no primary private address`},
		{strings.Replace(twoENIs, `eni-0123456789abcdef1`, `eni-0123456789abcdef0`, 1), `describe-network-interfaces JSON: eni-0123456789abcdef0 is listed twice`},
		{strings.Replace(twoENIs, `"10.0.0.6"`, `"fe80::1"`, 1), `describe-network-interfaces JSON: eni-0123456789abcdef0: PrivateIpAddress "fe80::1" is not an IPv4 address`},
	}
	for _, tt := range tests {
		if _, err := ParseDescribeNetworkInterfaces([]byte(tt.doc)); err == nil || err.Error() != tt.want {
			t.Errorf("got %v\nwant %s", err, tt.want)
		}
	}
}

// FuzzParseDescribeNetworkInterfaces: no panic, one-line errors; every ENI
// read has an ID, a primary IPv4 address and aligned /28 prefixes.
func FuzzParseDescribeNetworkInterfaces(f *testing.F) {
	f.Add([]byte(twoENIs))
	f.Add([]byte(`{"NetworkInterfaces":[null]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		defer fuzzbound.Start(t)()
		enis, err := ParseDescribeNetworkInterfaces(data)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error spans lines: %q", err)
			}
			return
		}
		for _, e := range enis {
			if e.ID == "" || !e.Primary.Is4() {
				t.Fatalf("read %+v", e)
			}
			for _, p := range e.Prefixes {
				if p.Bits() != BlockLen || p.Masked() != p {
					t.Fatalf("prefix %v", p)
				}
			}
		}
	})
}
