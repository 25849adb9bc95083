package ec2fake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// ParseSubnets decodes the JSON of `aws ec2 describe-subnets --output json`
// (an object with a Subnets list) into the SDK's records, in the file's order.
func ParseSubnets(data []byte) ([]ec2types.Subnet, error) {
	var doc struct{ Subnets *[]ec2types.Subnet }
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("describe-subnets JSON: %w", err)
	}
	if doc.Subnets == nil {
		return nil, fmt.Errorf("describe-subnets JSON: no Subnets list")
	}
	return *doc.Subnets, nil
}

// VPC is a DescribeVpcs record of VPC id with its blocks associated: the
// IPv4 ones, the first the primary block, and an IPv6 one (a CIDR with a
// colon) as Amazon provides it.
func VPC(id string, cidrs ...string) ec2types.Vpc {
	v := ec2types.Vpc{VpcId: aws.String(id), State: ec2types.VpcStateAvailable, OwnerId: aws.String("111122223333"),
		InstanceTenancy: ec2types.TenancyDefault, IsDefault: aws.Bool(false), DhcpOptionsId: aws.String("dopt-0123456789abcdef0")}
	var v4 []string
	for _, c := range cidrs {
		if !strings.Contains(c, ":") {
			v4 = append(v4, c)
			continue
		}
		v.Ipv6CidrBlockAssociationSet = append(v.Ipv6CidrBlockAssociationSet, ec2types.VpcIpv6CidrBlockAssociation{
			AssociationId: aws.String(fmt.Sprintf("vpc-cidr-assoc-%017x", 0x600+len(v.Ipv6CidrBlockAssociationSet))),
			Ipv6CidrBlock: aws.String(c), Ipv6Pool: aws.String("Amazon"), NetworkBorderGroup: aws.String("us-west-2"),
			Ipv6CidrBlockState: &ec2types.VpcCidrBlockState{State: ec2types.VpcCidrBlockStateCodeAssociated},
		})
	}
	cidrs = v4
	if len(cidrs) > 0 {
		v.CidrBlock = aws.String(cidrs[0])
	}
	for i, c := range cidrs {
		v.CidrBlockAssociationSet = append(v.CidrBlockAssociationSet, ec2types.VpcCidrBlockAssociation{
			AssociationId:  aws.String(fmt.Sprintf("vpc-cidr-assoc-%017x", i+1)),
			CidrBlock:      aws.String(c),
			CidrBlockState: &ec2types.VpcCidrBlockState{State: ec2types.VpcCidrBlockStateCodeAssociated},
		})
	}
	return v
}

// SetSubnets sets what DescribeSubnets serves (the same in every region).
func (s *Server) SetSubnets(subnets ...ec2types.Subnet) {
	s.mu.Lock()
	s.subnets = subnets
	s.mu.Unlock()
}

// SetVPCs sets what DescribeVpcs serves (the same in every region).
func (s *Server) SetVPCs(vpcs ...ec2types.Vpc) {
	s.mu.Lock()
	s.vpcs = vpcs
	s.mu.Unlock()
}

// MaxSubnetsPerPage is the most DescribeSubnets' MaxResults takes.
const MaxSubnetsPerPage = 1000

// describeSubnets serves the subnets matching the vpc-id filter (EC2's
// wildcards allowed), MaxResults (5 to 1000) a page; without MaxResults EC2
// sends everything at once. A filter never fails for an unknown VPC: it
// matches nothing.
func (s *Server) describeSubnets(w http.ResponseWriter, req Request, requestID string) {
	s.mu.Lock()
	subnets := s.subnets
	s.mu.Unlock()
	serveFiltered(s, w, req, requestID, "DescribeSubnets", "subnetSet", MaxSubnetsPerPage, subnets, map[string]func(ec2types.Subnet) string{
		"vpc-id": func(sn ec2types.Subnet) string { return aws.ToString(sn.VpcId) },
	})
}

// serveFiltered answers a list action: records whose every filtered field
// matches one of the filter's values (EC2's wildcards allowed), a page of
// them; a filter other than those of fields fails as EC2's does.
func serveFiltered[T any](s *Server, w http.ResponseWriter, req Request, requestID, action, setName string, maxPage int, records []T, fields map[string]func(T) string) {
	s.mu.Lock()
	pageSize, paging := s.pageSize, s.paging
	s.mu.Unlock()
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	if !checkListRequest(w, req, requestID, maxPage, names...) {
		return
	}
	var matched []T
	for _, r := range records {
		ok := true
		for name, values := range req.Filters {
			v := fields[name](r)
			ok = ok && slices.ContainsFunc(values, func(p string) bool { return wildcardMatch(p, v) })
		}
		if ok {
			matched = append(matched, r)
		}
	}
	writePage(w, action, setName, req, requestID, matched, len(matched), pageSize, paging)
}

var vpcIDRe = regexp.MustCompile(`^vpc-[0-9a-f]{8}([0-9a-f]{9})?$`)

// describeVpcs serves the VPCs named in VpcId.N, or every VPC. As EC2 does,
// an ID that is not one fails with InvalidVpcID.Malformed and a VPC that does
// not exist with InvalidVpcID.NotFound.
func (s *Server) describeVpcs(w http.ResponseWriter, req Request, requestID string) {
	s.mu.Lock()
	vpcs := s.vpcs
	s.mu.Unlock()
	if len(req.Filters) > 0 {
		for name := range req.Filters {
			writeError(w, http.StatusBadRequest, "InvalidParameterValue", fmt.Sprintf("The filter '%s' is invalid", name), requestID)
			return
		}
	}
	matched := vpcs
	if len(req.VPCIDs) > 0 {
		matched = nil
		for _, id := range req.VPCIDs {
			if !vpcIDRe.MatchString(id) {
				writeError(w, http.StatusBadRequest, "InvalidVpcID.Malformed", fmt.Sprintf("Invalid id: %q", id), requestID)
				return
			}
			i := slices.IndexFunc(vpcs, func(v ec2types.Vpc) bool { return aws.ToString(v.VpcId) == id })
			if i < 0 {
				writeError(w, http.StatusBadRequest, "InvalidVpcID.NotFound", fmt.Sprintf("The vpc ID '%s' does not exist", id), requestID)
				return
			}
			matched = append(matched, vpcs[i])
		}
	}
	writeXML(w, setResponse("DescribeVpcs", "vpcSet", requestID, asItems(matched), ""))
}

// checkListRequest refuses, as EC2 does, a MaxResults outside 5 to maxPage
// and a filter other than the action's one; it reports whether the request
// may go on.
func checkListRequest(w http.ResponseWriter, req Request, requestID string, maxPage int, filters ...string) bool {
	if req.MaxResults != 0 && (req.MaxResults < 5 || req.MaxResults > maxPage) {
		writeError(w, http.StatusBadRequest, "InvalidParameterValue", fmt.Sprintf("Value ( %d ) for parameter maxResults is invalid. Expecting a value between 5 and %d.", req.MaxResults, maxPage), requestID)
		return false
	}
	for name := range req.Filters {
		if !slices.Contains(filters, name) {
			writeError(w, http.StatusBadRequest, "InvalidParameterValue", fmt.Sprintf("The filter '%s' is invalid", name), requestID)
			return false
		}
	}
	return true
}

// writePage answers action with the page of matched that req asks for: from
// req.NextToken's offset, req.MaxResults records, else size (capped by
// pageSize when that is set), as <item>s under setName, with nextToken when
// more follow. A token the server never gave fails as EC2's does.
func writePage[T any](w http.ResponseWriter, action, setName string, req Request, requestID string, matched []T, size, pageSize int, paging Paging) {
	if req.MaxResults > 0 {
		size = req.MaxResults
	}
	switch paging {
	case PagingRepeat:
		writeXML(w, setResponse(action, setName, requestID, asItems(matched[:min(1, len(matched))]), "page-again"))
		return
	case PagingEndless:
		writeXML(w, setResponse(action, setName, requestID, asItems(matched[:min(1, len(matched))]), fmt.Sprintf("page-%s-more", requestID)))
		return
	}
	start, end, ok := pageBounds(req.NextToken, size, pageSize, len(matched))
	if !ok {
		writeError(w, http.StatusBadRequest, "InvalidParameterValue", "The token '"+req.NextToken+"' is invalid.", requestID)
		return
	}
	next := ""
	if end < len(matched) {
		next = fmt.Sprintf("page-%d", end)
	}
	writeXML(w, setResponse(action, setName, requestID, asItems(matched[start:end]), next))
}

// asItems is records as setResponse takes them.
func asItems[T any](records []T) []any {
	items := make([]any, len(records))
	for i, r := range records {
		items[i] = r
	}
	return items
}

// pageBounds is the slice of total records a page holds: from the offset
// in token ("page-N", "" for the first page), size records (capped by
// pageSize when that is set); ok is false for a token the server never gave.
func pageBounds(token string, size, pageSize, total int) (start, end int, ok bool) {
	if token != "" {
		var n int
		if _, err := fmt.Sscanf(token, "page-%d", &n); err != nil || fmt.Sprintf("page-%d", n) != token || n < 0 || n > total {
			return 0, 0, false
		}
		start = n
	}
	if pageSize > 0 {
		size = min(size, pageSize)
	}
	return start, min(start+max(size, 1), total), true
}

// setResponse is an action's answer holding a list of records as <item>s
// under setName, with nextToken when more pages follow.
func setResponse(action, setName, requestID string, items []any, next string) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	fmt.Fprintf(&b, `<%sResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">`, action)
	fmt.Fprintf(&b, "<requestId>%s</requestId><%s>", requestID, setName)
	for _, item := range items {
		writeElement(&b, "item", reflect.ValueOf(item))
	}
	fmt.Fprintf(&b, "</%s>", setName)
	if next != "" {
		fmt.Fprintf(&b, "<nextToken>%s</nextToken>", next)
	}
	fmt.Fprintf(&b, "</%sResponse>", action)
	return b.Bytes()
}

// ParseNetworkInterfaces decodes the JSON of `aws ec2
// describe-network-interfaces --output json` into the SDK's records.
func ParseNetworkInterfaces(data []byte) ([]ec2types.NetworkInterface, error) {
	var doc struct{ NetworkInterfaces *[]ec2types.NetworkInterface }
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("describe-network-interfaces JSON: %w", err)
	}
	if doc.NetworkInterfaces == nil {
		return nil, fmt.Errorf("describe-network-interfaces JSON: no NetworkInterfaces list")
	}
	return *doc.NetworkInterfaces, nil
}

// SetNetworkInterfaces sets what DescribeNetworkInterfaces serves.
func (s *Server) SetNetworkInterfaces(enis ...ec2types.NetworkInterface) {
	s.mu.Lock()
	s.enis = enis
	s.mu.Unlock()
}

// MaxENIsPerPage is the most DescribeNetworkInterfaces' MaxResults takes.
const MaxENIsPerPage = 1000

// describeNetworkInterfaces serves the interfaces matching the vpc-id and
// attachment.instance-id filters, MaxResults (5 to 1000) a page.
func (s *Server) describeNetworkInterfaces(w http.ResponseWriter, req Request, requestID string) {
	s.mu.Lock()
	enis := s.enis
	s.mu.Unlock()
	serveFiltered(s, w, req, requestID, "DescribeNetworkInterfaces", "networkInterfaceSet", MaxENIsPerPage, enis, map[string]func(ec2types.NetworkInterface) string{
		"vpc-id": func(e ec2types.NetworkInterface) string { return aws.ToString(e.VpcId) },
		"attachment.instance-id": func(e ec2types.NetworkInterface) string {
			if e.Attachment == nil {
				return ""
			}
			return aws.ToString(e.Attachment.InstanceId)
		},
	})
}
