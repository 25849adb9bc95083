package ec2fake

import (
	"bytes"
	"cmp"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

//go:embed testdata/describe-instance-types.json
var recordsJSON []byte

// Records returns the fixture: 56 real DescribeInstanceTypes records
// (multi-card, bare metal, Xen, Graviton, old and current families), in
// name order.
func Records() []ec2types.InstanceTypeInfo {
	records, err := ParseRecords(recordsJSON)
	if err != nil {
		panic("ec2fake: fixture: " + err.Error())
	}
	return records
}

// ParseRecords decodes records in the shape of the AWS CLI's JSON output, an
// object keyed by instance type, and returns them in name order.
func ParseRecords(data []byte) ([]ec2types.InstanceTypeInfo, error) {
	var byName map[string]ec2types.InstanceTypeInfo
	if err := json.Unmarshal(data, &byName); err != nil {
		return nil, fmt.Errorf("instance type records: %w", err)
	}
	records := make([]ec2types.InstanceTypeInfo, 0, len(byName))
	for name, r := range byName {
		if string(r.InstanceType) != name {
			return nil, fmt.Errorf("instance type records: key %q holds %q", name, r.InstanceType)
		}
		records = append(records, r)
	}
	slices.SortFunc(records, func(a, b ec2types.InstanceTypeInfo) int {
		return strings.Compare(string(a.InstanceType), string(b.InstanceType))
	})
	return records, nil
}

// DefaultRegions are the regions DescribeRegions returns unless SetRegions
// says otherwise.
var DefaultRegions = []string{"eu-west-1", "us-east-1", "us-west-2"}

// Failure makes matching requests fail with an EC2 error.
type Failure struct {
	Action  string // the action that fails, such as DescribeInstanceTypes; "" for any
	Region  string // the region that fails; "" for any
	Code    string // EC2's error code, such as RequestLimitExceeded
	Message string // "" for EC2's usual message for the code
	Status  int    // HTTP status; 0 for EC2's usual status for the code
	Times   int    // fail this many matching requests, then succeed; 0 for all of them
}

// Raw makes matching requests get a response that is not EC2's: a captive
// portal's page, an empty body, a proxy's error page, an endless body.
type Raw struct {
	Action      string // "" for any
	Status      int    // 0 for 200
	ContentType string
	Body        []byte
	Endless     bool // after Body, write blanks until the client hangs up
}

// Paging is a fault of the pages' NextToken.
type Paging int

const (
	PagingNormal  Paging = iota
	PagingRepeat         // every page's NextToken is the same: the same page for ever
	PagingEndless        // every page has a new NextToken: pages for ever
)

// Request is what the server received, for assertions.
type Request struct {
	Action        string
	Region        string // from the SigV4 credential scope
	InstanceTypes []string
	VPCIDs        []string // DescribeVpcs' VpcId.N
	Filters       map[string][]string
	MaxResults    int
	NextToken     string
}

// Server is a running fake EC2 endpoint.
type Server struct {
	http *httptest.Server

	mu        sync.Mutex
	records   []ec2types.InstanceTypeInfo
	byRegion  map[string][]ec2types.InstanceTypeInfo
	regions   []string
	subnets   []ec2types.Subnet
	vpcs      []ec2types.Vpc
	enis      []ec2types.NetworkInterface
	pageSize  int
	delay     time.Duration
	failures  []*failureState
	raw       *Raw
	paging    Paging
	requests  []Request
	requestID int
}

type failureState struct {
	Failure
	used int
}

// Start serves records (the same in every region) on a loopback address.
func Start(records []ec2types.InstanceTypeInfo) *Server {
	s := &Server{records: records, byRegion: map[string][]ec2types.InstanceTypeInfo{}, regions: DefaultRegions}
	s.http = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// URL is the endpoint URL to hand to the SDK (--endpoint-url).
func (s *Server) URL() string { return s.http.URL }

// Close stops the server, first cutting any request still waiting.
func (s *Server) Close() {
	s.http.CloseClientConnections()
	s.http.Close()
}

// SetRaw makes matching requests get r instead of an answer (nil: none).
func (s *Server) SetRaw(r *Raw) { s.mu.Lock(); s.raw = r; s.mu.Unlock() }

// SetPaging sets a paging fault of DescribeInstanceTypes and DescribeSubnets.
func (s *Server) SetPaging(p Paging) { s.mu.Lock(); s.paging = p; s.mu.Unlock() }

// SetPageSize caps the records per page of DescribeInstanceTypes and
// DescribeSubnets (0: as many as MaxResults asks, and without it 100 types
// or every subnet, as EC2 does).
func (s *Server) SetPageSize(n int) { s.mu.Lock(); s.pageSize = n; s.mu.Unlock() }

// SetDelay holds every answer back for d (or until the client gives up).
func (s *Server) SetDelay(d time.Duration) { s.mu.Lock(); s.delay = d; s.mu.Unlock() }

// SetRegions sets what DescribeRegions returns.
func (s *Server) SetRegions(regions ...string) { s.mu.Lock(); s.regions = regions; s.mu.Unlock() }

// SetRegionRecords makes one region serve its own records.
func (s *Server) SetRegionRecords(region string, records []ec2types.InstanceTypeInfo) {
	s.mu.Lock()
	s.byRegion[region] = records
	s.mu.Unlock()
}

// Fail adds a failure; failures are checked in the order added.
func (s *Server) Fail(f Failure) {
	s.mu.Lock()
	s.failures = append(s.failures, &failureState{Failure: f})
	s.mu.Unlock()
}

// Requests returns every request received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// WaitReceived waits until n requests have arrived (counting those still
// held back by SetDelay), or timeout passes; it reports whether they did.
func (s *Server) WaitReceived(n int, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		s.mu.Lock()
		received := s.requestID
		s.mu.Unlock()
		if received >= n {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
}

var credentialRegion = regexp.MustCompile(`Credential=[^/]+/[0-9]+/([^/]+)/ec2/aws4_request`)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requestID++ // also the count of requests received
	requestID := fmt.Sprintf("00000000-0000-4000-8000-%012d", s.requestID)
	delay := s.delay
	s.mu.Unlock()
	// Reading the whole body first lets the server notice a client that
	// gives up while the answer is held back.
	formErr := r.ParseForm()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		writeError(w, http.StatusBadRequest, "InvalidHttpRequest", "EC2 takes form-encoded POST requests", requestID)
		return
	}
	m := credentialRegion.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil {
		writeError(w, http.StatusUnauthorized, "MissingAuthenticationToken", "Request is missing Authentication Token", requestID)
		return
	}
	if formErr != nil {
		writeError(w, http.StatusBadRequest, "MalformedQueryString", formErr.Error(), requestID)
		return
	}
	req := Request{Action: r.PostForm.Get("Action"), Region: m[1], Filters: map[string][]string{}, NextToken: r.PostForm.Get("NextToken")}
	req.InstanceTypes = listParam(r.PostForm, "InstanceType.")
	req.VPCIDs = listParam(r.PostForm, "VpcId.")
	for i := 1; r.PostForm.Has(fmt.Sprintf("Filter.%d.Name", i)); i++ {
		name := r.PostForm.Get(fmt.Sprintf("Filter.%d.Name", i))
		req.Filters[name] = append(req.Filters[name], listParam(r.PostForm, fmt.Sprintf("Filter.%d.Value.", i))...)
	}
	if v := r.PostForm.Get("MaxResults"); v != "" {
		req.MaxResults, _ = strconv.Atoi(v)
		if req.MaxResults == 0 {
			req.MaxResults = -1
		}
	}

	s.mu.Lock()
	s.requests = append(s.requests, req)
	failure := s.failureFor(req)
	raw := s.raw
	s.mu.Unlock()
	if raw != nil && (raw.Action == "" || raw.Action == req.Action) {
		writeRaw(w, r, raw)
		return
	}
	if failure != nil {
		status, message := failure.Status, failure.Message
		if status == 0 || message == "" {
			defStatus, defMessage := usualError(failure.Code, req.Action)
			status = cmp.Or(status, defStatus)
			message = cmp.Or(message, defMessage)
		}
		writeError(w, status, failure.Code, message, requestID)
		return
	}
	if r.PostForm.Get("Version") == "" {
		writeError(w, http.StatusBadRequest, "MissingParameter", "The request must contain the parameter Version", requestID)
		return
	}

	switch req.Action {
	case "DescribeInstanceTypes":
		s.describeInstanceTypes(w, req, requestID)
	case "DescribeRegions":
		s.describeRegions(w, requestID)
	case "DescribeSubnets":
		s.describeSubnets(w, req, requestID)
	case "DescribeVpcs":
		s.describeVpcs(w, req, requestID)
	case "DescribeNetworkInterfaces":
		s.describeNetworkInterfaces(w, req, requestID)
	case "":
		writeError(w, http.StatusBadRequest, "MissingAction", "The request must contain the parameter Action", requestID)
	default:
		writeError(w, http.StatusBadRequest, "InvalidAction", fmt.Sprintf("The action %s is not valid for this web service.", req.Action), requestID)
	}
}

// listParam returns the values of prefix1, prefix2, ... in order.
func listParam(form map[string][]string, prefix string) []string {
	var values []string
	for i := 1; ; i++ {
		v, ok := form[prefix+strconv.Itoa(i)]
		if !ok || len(v) == 0 {
			return values
		}
		values = append(values, v[0])
	}
}

func (s *Server) failureFor(req Request) *failureState {
	for _, f := range s.failures {
		if (f.Action != "" && f.Action != req.Action) || (f.Region != "" && f.Region != req.Region) {
			continue
		}
		if f.Times > 0 && f.used >= f.Times {
			continue
		}
		f.used++
		return f
	}
	return nil
}

// usualError is the HTTP status and message EC2 sends with an error code.
func usualError(code, action string) (int, string) {
	switch code {
	case "RequestLimitExceeded":
		return http.StatusServiceUnavailable, "Request limit exceeded."
	case "UnauthorizedOperation":
		return http.StatusForbidden, "You are not authorized to perform this operation. User: arn:aws:iam::123456789012:user/eksnet-test is not authorized to perform: ec2:" + action + " because no identity-based policy allows the ec2:" + action + " action"
	case "AccessDenied", "AccessDeniedException":
		return http.StatusForbidden, "User: arn:aws:iam::123456789012:user/eksnet-test is not authorized to perform: ec2:" + action
	case "AuthFailure":
		return http.StatusUnauthorized, "AWS was not able to validate the provided access credentials"
	case "InternalError", "InternalFailure":
		return http.StatusInternalServerError, "An internal error has occurred"
	case "Unavailable", "ServiceUnavailable":
		return http.StatusServiceUnavailable, "The service is unavailable. Please try again shortly."
	}
	return http.StatusBadRequest, code
}

func (s *Server) describeInstanceTypes(w http.ResponseWriter, req Request, requestID string) {
	s.mu.Lock()
	records, ok := s.byRegion[req.Region]
	if !ok {
		records = s.records
	}
	pageSize := s.pageSize
	s.mu.Unlock()

	if len(req.InstanceTypes) > 100 {
		writeError(w, http.StatusBadRequest, "InvalidParameterValue", fmt.Sprintf("The maximum number of instance types is 100; %d were supplied.", len(req.InstanceTypes)), requestID)
		return
	}
	if !checkListRequest(w, req, requestID, 100, "instance-type") {
		return
	}

	byName := make(map[string]ec2types.InstanceTypeInfo, len(records))
	for _, r := range records {
		byName[string(r.InstanceType)] = r
	}
	var matched []ec2types.InstanceTypeInfo
	if len(req.InstanceTypes) > 0 {
		var unknown []string
		for _, name := range req.InstanceTypes {
			if _, ok := byName[name]; !ok {
				unknown = append(unknown, name)
			}
		}
		if len(unknown) > 0 {
			writeError(w, http.StatusBadRequest, "InvalidInstanceType", "The following supplied instance types do not exist: ["+strings.Join(unknown, ", ")+"]", requestID)
			return
		}
		for _, r := range records {
			if slices.Contains(req.InstanceTypes, string(r.InstanceType)) {
				matched = append(matched, r)
			}
		}
	} else {
		matched = records
	}
	if patterns, ok := req.Filters["instance-type"]; ok {
		var filtered []ec2types.InstanceTypeInfo
		for _, r := range matched {
			if slices.ContainsFunc(patterns, func(p string) bool { return wildcardMatch(p, string(r.InstanceType)) }) {
				filtered = append(filtered, r)
			}
		}
		matched = filtered
	}
	s.mu.Lock()
	paging := s.paging
	s.mu.Unlock()
	writePage(w, "DescribeInstanceTypes", "instanceTypeSet", req, requestID, matched, 100, pageSize, paging)
}

func (s *Server) describeRegions(w http.ResponseWriter, requestID string) {
	s.mu.Lock()
	regions := slices.Clone(s.regions)
	s.mu.Unlock()
	items := make([]any, len(regions))
	for i, region := range regions {
		items[i] = ec2types.Region{RegionName: aws.String(region), Endpoint: aws.String("ec2." + region + ".amazonaws.com"), OptInStatus: aws.String("opt-in-not-required")}
	}
	writeXML(w, setResponse("DescribeRegions", "regionInfo", requestID, items, ""))
}

func writeXML(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

func writeError(w http.ResponseWriter, status int, code, message, requestID string) {
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	w.WriteHeader(status)
	writeErrorXML(w, code, message, requestID)
}

// wildcardMatch reports whether name matches an EC2 filter value, where *
// matches any run of characters and ? any one character.
func wildcardMatch(pattern, name string) bool {
	if pattern == "" {
		return name == ""
	}
	switch pattern[0] {
	case '*':
		for i := 0; i <= len(name); i++ {
			if wildcardMatch(pattern[1:], name[i:]) {
				return true
			}
		}
		return false
	case '?':
		return name != "" && wildcardMatch(pattern[1:], name[1:])
	}
	return name != "" && name[0] == pattern[0] && wildcardMatch(pattern[1:], name[1:])
}

func writeRaw(w http.ResponseWriter, r *http.Request, raw *Raw) {
	if raw.ContentType != "" {
		w.Header().Set("Content-Type", raw.ContentType)
	}
	w.WriteHeader(cmp.Or(raw.Status, http.StatusOK))
	_, _ = w.Write(raw.Body)
	if !raw.Endless {
		return
	}
	blanks := bytes.Repeat([]byte(" "), 64<<10) // well-formed so far: only a bound stops the reader
	for r.Context().Err() == nil {
		if _, err := w.Write(blanks); err != nil {
			return
		}
	}
}
