package ec2limits

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
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
	if opts.Region != "" && !IsRegionName(opts.Region) {
		return aws.Config{}, fmt.Errorf("invalid --region %q: want a region name such as us-east-1", opts.Region)
	}
	var load []func(*config.LoadOptions) error
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
	if !IsRegionName(cfg.Region) {
		return aws.Config{}, fmt.Errorf("invalid AWS region %q (from AWS_REGION or the profile): want a region name such as us-east-1", cfg.Region)
	}
	if cfg.Credentials == nil {
		return aws.Config{}, ErrNoCredentials
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		if ctxErr := contextError(ctx); ctxErr != nil {
			return aws.Config{}, ctxErr
		}
		return aws.Config{}, fmt.Errorf("%w (%s)", ErrNoCredentials, oneLine(err.Error()))
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

func (g bodyGuard) Do(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = struct{ io.ReadCloser }{r.Body}
	}
	return g.next.Do(r)
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
