package ec2limits

import (
	"context"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
	"github.com/eksnet/eksnet/internal/prose"
)

// ErrNoRegion is returned when no region is configured anywhere.
var ErrNoRegion = errors.New("no AWS region: pass --region, or set AWS_REGION, or set region in your AWS profile (~/.aws/config)")

// ErrNoCredentials is returned when the default credential chain finds none.
var ErrNoCredentials = errors.New("no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or choose a profile with --profile or AWS_PROFILE (aws configure, aws sso login), or run where an IAM role provides them")

// AccessDeniedError says that the credentials may not call an EC2 action.
type AccessDeniedError struct {
	Action string // the IAM action, such as ec2:DescribeInstanceTypes
	Code   string // AccessDenied, UnauthorizedOperation, ...
}

func (e *AccessDeniedError) Error() string {
	return fmt.Sprintf("not allowed to call %s (%s): grant the IAM action %s to the credentials in use", e.Action, e.Code, e.Action)
}

// UnknownTypesError says that EC2 does not know some of the requested types.
type UnknownTypesError struct {
	Names       []string // the types EC2 named
	Message     string   // EC2's own message
	Suggestions []string // known names near the first one, if any
}

func (e *UnknownTypesError) Error() string {
	if len(e.Names) == 0 {
		return "unknown instance type (InvalidInstanceType: " + prose.OneLine(e.Message) + ")"
	}
	quoted := make([]string, len(e.Names))
	for i, n := range e.Names {
		quoted[i] = fmt.Sprintf("%q", n)
	}
	hint := "EC2 does not offer it in this region"
	if len(e.Suggestions) > 0 {
		hint = "did you mean " + strings.Join(e.Suggestions, " or ") + "?"
	}
	return "unknown instance type " + strings.Join(quoted, ", ") + " (InvalidInstanceType: " + hint + ")"
}

// VPCNotFoundError says that EC2 has no VPC of that ID in the region asked.
type VPCNotFoundError struct {
	ID   string // the VPC ID, when EC2 named it
	Code string // InvalidVpcID.NotFound
}

func (e *VPCNotFoundError) Error() string {
	vpc := "the VPC"
	if e.ID != "" {
		vpc = "VPC " + e.ID
	}
	return fmt.Sprintf("%s does not exist in this region (%s): check vpc.id in the plan file, and the region (--region, or the plan's region)", vpc, e.Code)
}

// ThrottledError says that EC2 kept throttling after the retryer gave up.
type ThrottledError struct {
	Code     string
	Attempts int
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("EC2 throttled the requests (%s) and %d attempts with backoff did not get through: try again later, ask for fewer types or regions, or raise AWS_MAX_ATTEMPTS", e.Code, e.Attempts)
}

var (
	unknownTypesList = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\[([^\]]*)\]`) })
	vpcIDInMessage   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\bvpc-[0-9a-f]+\b`) })
)

// explain turns an SDK error from calling action into a one-line error a
// user can act on. Context errors come back wrapping context.Canceled or
// context.DeadlineExceeded (with the --timeout cause).
func explain(ctx context.Context, action string, err error) error {
	if err == nil {
		return nil
	}
	if ctxErr := contextError(ctx); ctxErr != nil {
		return ctxErr
	}
	attempts := 0
	var maxAttempts *retry.MaxAttemptsError
	if errors.As(err, &maxAttempts) {
		attempts = maxAttempts.Attempt
	}
	var notEC2 *NotEC2Error
	if errors.As(err, &notEC2) {
		return fmt.Errorf("%s: %w", action, notEC2)
	}
	var tooLarge ResponseTooLargeError
	if errors.As(err, &tooLarge) {
		return fmt.Errorf("%s: %w", action, tooLarge)
	}
	var paging *PagingError
	if errors.As(err, &paging) {
		return paging
	}
	var deserialize *smithy.DeserializationError
	if errors.As(err, &deserialize) {
		return fmt.Errorf("%s: the endpoint's answer is not EC2's XML (%s): check --endpoint-url, and any proxy in the way", action, prose.OneLine(deserialize.Err.Error()))
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		code := apiErr.ErrorCode()
		switch {
		case code == "UnauthorizedOperation" || code == "AccessDenied" || code == "AccessDeniedException":
			return &AccessDeniedError{Action: "ec2:" + action, Code: code}
		case code == "InvalidInstanceType":
			var names []string
			if m := unknownTypesList().FindStringSubmatch(apiErr.ErrorMessage()); m != nil {
				for _, n := range strings.Split(m[1], ",") {
					if n = strings.TrimSpace(n); n != "" {
						names = append(names, n)
					}
				}
			}
			return &UnknownTypesError{Names: names, Message: apiErr.ErrorMessage()}
		case code == "InvalidVpcID.NotFound":
			return &VPCNotFoundError{ID: vpcIDInMessage().FindString(apiErr.ErrorMessage()), Code: code}
		case code == "AuthFailure" || code == "InvalidClientTokenId" || code == "SignatureDoesNotMatch" ||
			code == "UnrecognizedClientException" || code == "ExpiredToken" || code == "RequestExpired":
			return fmt.Errorf("EC2 rejected the AWS credentials (%s: %s): check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or --profile, and refresh expired session credentials", code, prose.OneLine(apiErr.ErrorMessage()))
		case isThrottle(code):
			return &ThrottledError{Code: code, Attempts: max(attempts, 1)}
		}
		return fmt.Errorf("%s failed (%s: %s)", action, code, prose.OneLine(apiErr.ErrorMessage()))
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return fmt.Errorf("cannot reach EC2 (%s): check the network and --endpoint-url", prose.OneLine(opErr.Error()))
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return fmt.Errorf("cannot reach EC2 (%s): check the network, --region and --endpoint-url", prose.OneLine(dnsErr.Error()))
	}
	return fmt.Errorf("%s failed: %s", action, prose.OneLine(err.Error()))
}

// contextError is the context's reason to stop, if it has one: the
// --timeout error, or an interruption (wrapping context.Canceled).
func contextError(ctx context.Context) error {
	switch ctx.Err() {
	case nil:
		return nil
	case context.DeadlineExceeded:
		var timeout *TimeoutError
		if cause := context.Cause(ctx); errors.As(cause, &timeout) {
			return timeout
		}
		return fmt.Errorf("no answer from EC2 in time: %w", context.DeadlineExceeded)
	}
	return fmt.Errorf("interrupted: %w", context.Canceled)
}

func isThrottle(code string) bool {
	_, ok := retry.DefaultThrottleErrorCodes[code]
	return ok
}
