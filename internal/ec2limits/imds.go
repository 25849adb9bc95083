package ec2limits

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/smithy-go/logging"
	"github.com/eksnet/eksnet/internal/prose"
)

// IMDSTimeout bounds reading the instance type from IMDS: on EC2 it answers
// in milliseconds, and off EC2 the answer must come at once, not after the
// SDK's retries.
const IMDSTimeout = 2 * time.Second

// InstanceTypeFromIMDS reads the node's own instance type from the EC2
// instance metadata service, IMDSv2 only (a session token, no fallback to
// v1), as the removed calculator's --instance-type-from-imds did. The
// endpoint is the SDK's: 169.254.169.254, or AWS_EC2_METADATA_SERVICE_ENDPOINT.
func InstanceTypeFromIMDS(ctx context.Context) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, IMDSTimeout)
	defer cancel()
	client := imds.New(imds.Options{
		EnableFallback:    aws.FalseTernary,
		ClientEnableState: imds.ClientEnabled, // asked for by --instance-type-from-imds, whatever AWS_EC2_METADATA_DISABLED says
		Retryer:           retry.AddWithMaxAttempts(retry.NewStandard(), 1),
		Logger:            logging.Nop{},
	})
	out, err := client.GetMetadata(ctx, &imds.GetMetadataInput{Path: "instance-type"})
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return "", fmt.Errorf("no answer from the instance metadata service within %s: is this an EC2 instance with IMDS enabled?", IMDSTimeout)
		}
		return "", fmt.Errorf("cannot read the instance type from the instance metadata service (IMDSv2): is this an EC2 instance with IMDS enabled? (%s)", prose.OneLine(err.Error()))
	}
	defer out.Content.Close()
	body, err := io.ReadAll(io.LimitReader(out.Content, 256))
	if err != nil {
		return "", fmt.Errorf("reading the instance type from the instance metadata service: %w", err)
	}
	name := strings.TrimSpace(string(body))
	if name == "" {
		return "", errors.New("the instance metadata service gave an empty instance type")
	}
	return name, nil
}
