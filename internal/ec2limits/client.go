package ec2limits

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/smithy-go/logging"
	"github.com/eksnet/eksnet/internal/prose"
	"github.com/eksnet/eksnet/internal/vpc"
)

// Options are the AWS settings of a command. Each zero value leaves the
// SDK's own default: AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL_EC2, the
// shared config files and the default credential chain.
type Options struct {
	Region      string // --region
	Profile     string // --profile
	EndpointURL string // --endpoint-url, for EC2-compatible endpoints
	// MaxAttempts and MaxBackoff tune the SDK's standard retryer, which
	// retries throttling (RequestLimitExceeded) with jittered exponential
	// backoff. 0 keeps the SDK's (3 attempts or AWS_MAX_ATTEMPTS; 20s).
	MaxAttempts int
	MaxBackoff  time.Duration
}

// LoadConfig resolves the AWS configuration and checks that it has a region
// and credentials, so that neither fails later in the middle of a request.
func LoadConfig(ctx context.Context, opts Options) (aws.Config, error) {
	if err := ValidateEndpointURL(opts.EndpointURL); err != nil {
		return aws.Config{}, err
	}
	if opts.Region != "" && !vpc.IsRegionName(opts.Region) {
		return aws.Config{}, fmt.Errorf("invalid --region %q: want a region name such as us-east-1", opts.Region)
	}
	load := []func(*config.LoadOptions) error{config.WithLogger(logging.Nop{})}
	if opts.Region != "" {
		load = append(load, config.WithRegion(opts.Region))
	}
	if opts.Profile != "" {
		load = append(load, config.WithSharedConfigProfile(opts.Profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, load...)
	if err != nil {
		var noProfile config.SharedConfigProfileNotExistError
		if errors.As(err, &noProfile) {
			return aws.Config{}, fmt.Errorf("AWS profile %q not found in the shared config or credentials file (~/.aws/config, ~/.aws/credentials): check --profile or AWS_PROFILE", noProfile.Profile)
		}
		return aws.Config{}, fmt.Errorf("loading the AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return aws.Config{}, ErrNoRegion
	}
	if !vpc.IsRegionName(cfg.Region) {
		return aws.Config{}, fmt.Errorf("invalid AWS region %q (from AWS_REGION or the profile): want a region name such as us-east-1", cfg.Region)
	}
	if cfg.Credentials == nil {
		return aws.Config{}, ErrNoCredentials
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		if ctxErr := contextError(ctx); ctxErr != nil {
			return aws.Config{}, ctxErr
		}
		return aws.Config{}, fmt.Errorf("%w (%s)", ErrNoCredentials, prose.OneLine(err.Error()))
	}
	return cfg, nil
}

// ValidateEndpointURL accepts an empty URL or an absolute http(s) URL.
func ValidateEndpointURL(endpoint string) error {
	if endpoint == "" {
		return nil
	}
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("invalid --endpoint-url %q: want an http or https URL such as https://ec2.us-east-1.amazonaws.com", endpoint)
	}
	return nil
}

// NewClient returns an EC2 client for region ("" for the configuration's
// own), sending to opts.EndpointURL when one is given.
func NewClient(cfg aws.Config, opts Options, region string) *ec2.Client {
	return ec2.NewFromConfig(cfg, func(o *ec2.Options) {
		o.Logger = logging.Nop{} // eksnet reports every failure itself, in one line
		o.ClientLogMode = 0
		if region != "" {
			o.Region = region
		}
		if o.HTTPClient == nil {
			o.HTTPClient = awshttp.NewBuildableClient()
		}
		o.HTTPClient = bodyGuard{o.HTTPClient}
		if opts.EndpointURL != "" {
			o.BaseEndpoint = aws.String(opts.EndpointURL)
		}
		if opts.MaxAttempts > 0 || opts.MaxBackoff > 0 {
			o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
				if opts.MaxAttempts > 0 {
					so.MaxAttempts = opts.MaxAttempts
				}
				if opts.MaxBackoff > 0 {
					so.MaxBackoff = opts.MaxBackoff
				}
			})
			o.RetryMaxAttempts = 0 // AWS_MAX_ATTEMPTS must not override an explicit setting
		}
	})
}

// bodyGuard hides the request body's WriteTo method from net/http. smithy-go
// closes the body as soon as the response headers arrive, and its closed
// body's WriteTo fails with io.EOF; net/http may still be reading the body
// then (it checks for bytes past Content-Length), takes the io.EOF as a
// write error and closes the connection under the response being read.
// A quick endpoint (LocalStack, a test server) makes that race likely.
// Read on a closed body returns a plain end of stream, which net/http accepts.
type bodyGuard struct{ next ec2.HTTPClient }

// It also holds every response to what EC2 sends (checkResponse): one
// bounded reader for every response body, and no page that is not EC2's XML.
func (g bodyGuard) Do(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = struct{ io.ReadCloser }{r.Body}
	}
	resp, err := g.next.Do(r)
	if err != nil {
		return resp, err
	}
	if err := checkResponse(resp); err != nil {
		resp.Body.Close()
		return nil, err
	}
	return resp, nil
}

// MaxResponseBytes bounds one EC2 response: a page of 100 instance types
// is about 400 KB, of 1,000 subnets about 1 MB.
const MaxResponseBytes = 32 << 20

// NotEC2Error says that the endpoint answered with something other than
// EC2's XML: a captive portal's page, an empty body, a proxy's error page.
type NotEC2Error struct {
	Status      int
	ContentType string
	Empty       bool
}

// RetryableError tells the SDK's retryer not to try again: the endpoint
// will answer the same.
func (e *NotEC2Error) RetryableError() bool { return false }

func (e *NotEC2Error) Error() string {
	what := "content of type " + e.ContentType
	switch {
	case e.Empty:
		what = "an empty body"
	case e.ContentType == "":
		what = "content that is not XML"
	}
	return fmt.Sprintf("the endpoint answered HTTP %d with %s, not EC2's XML: check --endpoint-url, and any proxy or captive portal in the way", e.Status, what)
}

// ResponseTooLargeError says that a response passed MaxResponseBytes.
type ResponseTooLargeError struct{}

// RetryableError tells the SDK's retryer not to try again.
func (ResponseTooLargeError) RetryableError() bool { return false }

func (ResponseTooLargeError) Error() string {
	return fmt.Sprintf("the endpoint's answer is larger than %d MiB, far more than EC2 sends: the endpoint is not EC2 or is broken", MaxResponseBytes>>20)
}

// checkResponse refuses a response that is not XML (by its first bytes,
// whatever its status), and bounds its body to MaxResponseBytes.
func checkResponse(resp *http.Response) error {
	body := bufio.NewReaderSize(&boundedReader{r: resp.Body, left: MaxResponseBytes}, 512)
	head, err := body.Peek(64)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return err
	}
	trimmed := strings.ToLower(strings.TrimSpace(string(head)))
	contentType := resp.Header.Get("Content-Type")
	if len(trimmed) == 0 {
		return &NotEC2Error{Status: resp.StatusCode, ContentType: contentType, Empty: true}
	}
	if trimmed[0] != '<' || strings.HasPrefix(trimmed, "<!doctype html") || strings.HasPrefix(trimmed, "<html") || strings.Contains(strings.ToLower(contentType), "html") {
		return &NotEC2Error{Status: resp.StatusCode, ContentType: contentType}
	}
	resp.Body = readCloser{Reader: body, Closer: resp.Body}
	return nil
}

// boundedReader fails once more than left bytes are read.
type boundedReader struct {
	r    io.Reader
	left int64
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, ResponseTooLargeError{}
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	return n, err
}

type readCloser struct {
	io.Reader
	io.Closer
}

// WithTimeout bounds everything done with the returned context (paging,
// retries, several regions) by d; 0 means no bound. When the time is up,
// errors from this package say so, naming d.
func WithTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeoutCause(ctx, d, &TimeoutError{Timeout: d})
}

// TimeoutError says that EC2 did not answer within --timeout.
type TimeoutError struct{ Timeout time.Duration }

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("no answer within %s (--timeout): raise --timeout, or check the network and --endpoint-url", e.Timeout)
}

// Is makes a TimeoutError match context.DeadlineExceeded.
func (e *TimeoutError) Is(target error) bool { return target == context.DeadlineExceeded }

// ConfiguredRegion is the region the AWS configuration names, without
// credentials or any call: AWS_REGION, else the profile's region (profile ""
// for AWS_PROFILE or the default). "" when none is set.
func ConfiguredRegion(ctx context.Context, profile string) (string, error) {
	load := []func(*config.LoadOptions) error{config.WithLogger(logging.Nop{})}
	if profile != "" {
		load = append(load, config.WithSharedConfigProfile(profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, load...)
	if err != nil {
		var noProfile config.SharedConfigProfileNotExistError
		if errors.As(err, &noProfile) {
			return "", fmt.Errorf("AWS profile %q not found in the shared config or credentials file (~/.aws/config, ~/.aws/credentials): check --profile or AWS_PROFILE", noProfile.Profile)
		}
		return "", fmt.Errorf("loading the AWS configuration: %s", prose.OneLine(err.Error()))
	}
	return cfg.Region, nil
}
