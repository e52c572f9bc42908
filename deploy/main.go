// Command deploy is cryptodash's AWS system as code: a CDK app that synthesises one
// CloudFormation stack holding the network, database, service, edge, schedule and monitoring
// of the seed's architecture. `make synth` runs it offline; `make deploy` deploys it.
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
)

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	cfg, err := ConfigFromContext(app.Node())
	if err != nil {
		fmt.Fprintf(os.Stderr, "deploy: bad context:\n%v\n", err)
		os.Exit(2)
	}
	NewStack(app, "Cryptodash", cfg)
	app.Synth(nil)
}
