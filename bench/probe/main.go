// Command probe links the same third-party packages as eksnet and prints one
// number: the floor eksnet's start-up is measured against (bench/startup).
// Written by `go run ./bench/startup -write-probe`; TestProbeImports keeps
// its imports equal to eksnet's.
package main

import (
	"fmt"

	_ "github.com/aws/aws-sdk-go-v2/aws"
	_ "github.com/aws/aws-sdk-go-v2/aws/retry"
	_ "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	_ "github.com/aws/aws-sdk-go-v2/config"
	_ "github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	_ "github.com/aws/aws-sdk-go-v2/service/ec2"
	_ "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	_ "github.com/aws/smithy-go"
	_ "github.com/aws/smithy-go/logging"
	_ "github.com/go-json-experiment/json"
	_ "github.com/go-json-experiment/json/jsontext"
	_ "github.com/go-json-experiment/json/v1"
	_ "github.com/mattn/go-isatty"
	_ "github.com/olekukonko/tablewriter"
	_ "github.com/olekukonko/tablewriter/renderer"
	_ "github.com/olekukonko/tablewriter/tw"
	_ "github.com/pelletier/go-toml/v2"
	_ "github.com/schollz/progressbar/v3"
	_ "github.com/spf13/cobra"
	_ "github.com/spf13/pflag"
	_ "github.com/spf13/viper"
	_ "go4.org/netipx"
	_ "golang.org/x/sys/unix"
	_ "gopkg.in/yaml.v3"
	_ "mvdan.cc/sh/v3/syntax"
)

func main() { fmt.Println(29) }
