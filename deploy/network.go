package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Network is the VPC over two availability zones: public subnets for the NAT gateway only,
// private subnets with a way out for the internal load balancer, the tasks and the VPC
// endpoints, and isolated subnets for the database, which needs none. Its flow logs go to the
// log bucket.
type Network struct {
	constructs.Construct
	Vpc awsec2.Vpc
	// Endpoints are the interface endpoints; nothing may reach them until the service is
	// let in.
	Endpoints []awsec2.InterfaceVpcEndpoint
	// SecretsManager is Endpoints' Secrets Manager one, which the password rotation needs
	// too; nil without endpoints.
	SecretsManager awsec2.IInterfaceVpcEndpoint
}

// Subnet group names, used to place each tier.
const (
	subnetPublic   = "public"
	subnetApp      = "app"
	subnetDatabase = "database"
)

// NewNetwork creates the VPC. The stack's account is left open, so the two zones resolve at
// deployment (Fn::GetAZs) and synthesis needs no availability-zone lookup.
func NewNetwork(scope constructs.Construct, id string, cfg Config, logs *Logs) *Network {
	c := constructs.NewConstruct(scope, &id)
	vpc := awsec2.NewVpc(c, jsii.String("Vpc"), &awsec2.VpcProps{
		IpAddresses: awsec2.IpAddresses_Cidr(jsii.String("10.0.0.0/16")),
		MaxAzs:      jsii.Number(2),
		NatGateways: jsii.Number(cfg.NatGateways),
		SubnetConfiguration: &[]*awsec2.SubnetConfiguration{
			{Name: jsii.String(subnetPublic), SubnetType: awsec2.SubnetType_PUBLIC, CidrMask: jsii.Number(24)},
			{Name: jsii.String(subnetApp), SubnetType: awsec2.SubnetType_PRIVATE_WITH_EGRESS, CidrMask: jsii.Number(24)},
			{Name: jsii.String(subnetDatabase), SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED, CidrMask: jsii.Number(24)},
		},
	})
	vpc.AddFlowLog(jsii.String("FlowLogs"), &awsec2.FlowLogOptions{
		Destination: awsec2.FlowLogDestination_ToS3(logs.Bucket, jsii.String(logPrefixFlow), nil),
		TrafficType: awsec2.FlowLogTrafficType_ALL,
	})

	n := &Network{Construct: c, Vpc: vpc}
	app := &awsec2.SubnetSelection{SubnetGroupName: jsii.String(subnetApp)}
	// Image layers come from S3; the gateway endpoint is free and keeps them off the NAT.
	vpc.AddGatewayEndpoint(jsii.String("S3"), &awsec2.GatewayVpcEndpointOptions{
		Service: awsec2.GatewayVpcEndpointAwsService_S3(),
		Subnets: &[]*awsec2.SubnetSelection{app},
	})
	if cfg.VPCEndpoints {
		// What a task needs to start and to log: with these it does not depend on the NAT
		// gateway's zone, which only CoinGecko still goes through.
		for _, e := range []struct {
			id      string
			service awsec2.InterfaceVpcEndpointAwsService
		}{
			{"EcrApi", awsec2.InterfaceVpcEndpointAwsService_ECR()},
			{"EcrDocker", awsec2.InterfaceVpcEndpointAwsService_ECR_DOCKER()},
			{"Logs", awsec2.InterfaceVpcEndpointAwsService_CLOUDWATCH_LOGS()},
			{"SecretsManager", awsec2.InterfaceVpcEndpointAwsService_SECRETS_MANAGER()},
		} {
			endpoint := vpc.AddInterfaceEndpoint(jsii.String(e.id), &awsec2.InterfaceVpcEndpointOptions{
				Service:           e.service,
				Subnets:           app,
				PrivateDnsEnabled: jsii.Bool(true),
				// Open would admit the whole VPC.
				Open: jsii.Bool(false),
			})
			n.Endpoints = append(n.Endpoints, endpoint)
			if e.id == "SecretsManager" {
				n.SecretsManager = endpoint
			}
		}
	}
	return n
}
