// Command deploy is cryptodash's AWS system as code: a CDK app that synthesises one
// CloudFormation stack per environment (env/<name>.json), each holding the network, database,
// service, edge, schedule and monitoring of the seed's architecture. `make synth` builds every
// environment offline; `make deploy ENV=<name>` deploys one.
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
	context := func(key string) any { return app.Node().TryGetContext(jsii.String(key)) }
	only, _ := context("env").(string)
	cfgs, err := Environments(envDir, only, context)
	if err != nil {
		fmt.Fprintf(os.Stderr, "deploy: bad settings:\n%v\n", err)
		os.Exit(2)
	}
	for _, cfg := range cfgs {
		NewStack(app, cfg.Prefix(), cfg)
	}
	app.Synth(nil)
}
